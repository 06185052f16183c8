"""Forms of the outreach pages. They only read input; the services decide and save."""

from django import forms

from .models import FollowUpMode, Mailbox, Piece, Security, Sequence, StepKind


class MailboxForm(forms.Form):
    email = forms.EmailField(help_text="The address your emails come from.")
    from_name = forms.CharField(required=False, max_length=100, help_text="Shown as the sender; your name if empty.")
    smtp_host = forms.CharField(label="SMTP server", max_length=253, help_text="e.g. smtp.gmail.com")
    smtp_port = forms.IntegerField(label="SMTP port", initial=587, min_value=1, max_value=65535)
    smtp_security = forms.ChoiceField(label="SMTP security", choices=Security.choices, initial=Security.STARTTLS)
    imap_host = forms.CharField(label="IMAP server", required=False, max_length=253,
                                help_text="e.g. imap.gmail.com. Without it, replies are not seen and cannot stop "
                                          "a sequence.")
    imap_port = forms.IntegerField(label="IMAP port", initial=993, min_value=1, max_value=65535)
    imap_security = forms.ChoiceField(label="IMAP security", choices=Security.choices, initial=Security.TLS)
    username = forms.CharField(max_length=254, help_text="Usually your email address.")
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                               help_text="An app password. Stored encrypted and never shown again; "
                                         "leave empty to keep the saved one.")
    server_saves_sent = forms.BooleanField(required=False, label="The server files sent mail in Sent by itself",
                                           help_text="Gmail and Microsoft 365 do.")
    daily_cap = forms.IntegerField(initial=200, min_value=0, help_text="Emails per 24 hours (0 = no cap).")
    hourly_cap = forms.IntegerField(initial=30, min_value=0)
    min_gap_seconds = forms.IntegerField(initial=60, min_value=0, label="Seconds between two sends")
    domain_daily_cap = forms.IntegerField(initial=10, min_value=0, required=False,
                                          label="Emails a day to one company's domain",
                                          help_text="0 = no cap. Free-mail domains (gmail.com, ...) are not capped.")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:  # a new mailbox has no saved password to keep
            password = self.fields["password"]
            password.required = True
            password.help_text = "An app password. Stored encrypted and never shown again."
            password.error_messages["required"] = "Give the mailbox's password (an app password for Gmail or Microsoft)."

    def clean_domain_daily_cap(self):
        value = self.cleaned_data.get("domain_daily_cap")
        return 10 if value is None else value

    @classmethod
    def for_mailbox(cls, mailbox: Mailbox | None, data=None):
        initial = {}
        if mailbox:
            initial = {name: getattr(mailbox, name) for name in cls.base_fields if name != "password"}
        return cls(data, initial=initial, editing=mailbox is not None)


class SequenceForm(forms.ModelForm):
    class Meta:
        model = Sequence
        fields = ["name", "mailbox", "window_start", "window_end", "window_days"]
        labels = {"window_start": "Send from", "window_end": "Send until", "window_days": "Send on weekdays"}
        widgets = {"window_start": forms.TimeInput(attrs={"type": "time"}),
                   "window_end": forms.TimeInput(attrs={"type": "time"})}

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the new sequence's owner's mailboxes; empty sends from their first one.
        self.fields["mailbox"].queryset = Mailbox.objects.filter(owner=owner).order_by("created_at")
        self.fields["mailbox"].empty_label = "Your first mailbox"


class StepForm(forms.Form):
    kind = forms.ChoiceField(choices=StepKind.choices)
    delay_days = forms.IntegerField(min_value=0, max_value=365, initial=0, label="Business days after the last step")
    subject = forms.CharField(required=False, max_length=300,
                              help_text="Merge fields: {first_name}, {company}, {title}, {seller_first_name} ...")
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="A follow-up leaves this empty for the seed's note: “Hi {first_name}, hope "
                                     "all is well. Following up on the below. Thx.”")
    follow_up_mode = forms.ChoiceField(choices=FollowUpMode.choices, initial=FollowUpMode.FORWARD,
                                       label="A follow-up")


class EnrollForm(forms.Form):
    sequence = forms.ModelChoiceField(queryset=Sequence.objects.filter(archived=False, drip__isnull=True),
                                      empty_label=None)


class TierEnrollForm(forms.Form):
    tier = forms.ChoiceField(choices=[("A", "A"), ("B", "B"), ("C", "C")], initial="A")
    key_contacts_only = forms.BooleanField(required=False, initial=True, label="Key contacts only")


class PieceForm(forms.ModelForm):
    class Meta:
        model = Piece
        fields = ["title", "kind", "subject", "body", "link"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}


class DripForm(forms.Form):
    name = forms.CharField(max_length=150)
    every_days = forms.IntegerField(min_value=1, max_value=365, initial=15, label="Business days between pieces",
                                    help_text="15 business days is about three weeks.")
    tier = forms.ChoiceField(choices=[("", "Nobody by tier (people picked by hand only)"), ("A", "A"), ("B", "B"),
                                      ("C", "C")], required=False, initial="A", label="Send to your companies of tier")
    window_start = forms.TimeField(initial="08:00", label="Send from", widget=forms.TimeInput(attrs={"type": "time"}))
    window_end = forms.TimeField(initial="17:00", label="Send until", widget=forms.TimeInput(attrs={"type": "time"}))
    window_days = forms.RegexField(regex=r"^[0-6](,[0-6])*$", initial="0,1,2,3,4", label="Send on weekdays",
                                   help_text="0 = Monday.")


class DripSettingsForm(forms.Form):
    every_days = forms.IntegerField(min_value=1, max_value=365, label="Business days between pieces")
    tier = forms.ChoiceField(choices=DripForm.base_fields["tier"].choices, required=False,
                             label="Send to your companies of tier")
    industries = forms.CharField(required=False, max_length=300, label="Only these industries",
                                 help_text="Comma-separated, e.g. Robotics, Logistics. Empty: any.")
    countries = forms.CharField(required=False, max_length=100, label="Only these countries",
                                help_text="Two-letter codes, comma-separated, e.g. US, DE. Empty: any.")
    title_words = forms.CharField(required=False, max_length=300, label="Only titles with one of",
                                  help_text="Comma-separated words, e.g. VP, Head, Director. Empty: any title.")


class DripPieceForm(forms.Form):
    piece = forms.ModelChoiceField(queryset=Piece.objects.all(), empty_label=None)


class DripPickForm(forms.Form):
    email = forms.EmailField(label="Add a person by email")
