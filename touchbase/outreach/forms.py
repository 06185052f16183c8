"""Forms of the outreach pages. They only read input; the services decide and save."""

from django import forms

from .models import FollowUpMode, Mailbox, Security, Sequence, StepKind


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

    @classmethod
    def for_mailbox(cls, mailbox: Mailbox | None, data=None):
        initial = {}
        if mailbox:
            initial = {name: getattr(mailbox, name) for name in cls.base_fields if name != "password"}
        return cls(data, initial=initial)


class SequenceForm(forms.ModelForm):
    class Meta:
        model = Sequence
        fields = ["name", "window_start", "window_end", "window_days"]
        labels = {"window_start": "Send from", "window_end": "Send until", "window_days": "Send on weekdays"}
        widgets = {"window_start": forms.TimeInput(attrs={"type": "time"}),
                   "window_end": forms.TimeInput(attrs={"type": "time"})}


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
    sequence = forms.ModelChoiceField(queryset=Sequence.objects.filter(archived=False), empty_label=None)
