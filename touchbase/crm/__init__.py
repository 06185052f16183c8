"""The CRM core: companies, people, deals through stages with exit criteria, touches and tasks."""
