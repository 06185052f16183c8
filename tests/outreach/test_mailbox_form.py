"""The mailbox form asks for a password when the mailbox is new, and keeps the saved one when editing."""

from touchbase.outreach.forms import MailboxForm


def test_a_new_mailbox_needs_its_password_and_says_so(db):
    form = MailboxForm.for_mailbox(None, {"email": "sam@example.com", "smtp_host": "smtp.example.com",
                                          "smtp_port": 587, "smtp_security": "starttls", "imap_port": 993,
                                          "imap_security": "tls", "username": "sam", "daily_cap": 200,
                                          "hourly_cap": 30, "min_gap_seconds": 60})
    assert not form.is_valid()
    assert form.errors["password"] == ["Give the mailbox's password (an app password for Gmail or Microsoft)."]
    assert "keep the saved one" not in form.fields["password"].help_text


def test_editing_a_mailbox_keeps_the_saved_password_when_left_empty(sams_mailbox):
    form = MailboxForm.for_mailbox(sams_mailbox)
    assert not form.fields["password"].required and "keep the saved one" in form.fields["password"].help_text
