"""Which column holds which field: CRM exports recognised by their headers, others by similarity."""

import pytest

from touchbase.prospecting.mapping import MappingError, recognise, resolve


def test_a_salesforce_contacts_report_is_recognised():
    headers = ["Contact ID", "First Name", "Last Name", "Title", "Account Name", "Email", "Phone", "Mailing Country"]
    mapping = resolve(headers)
    assert (mapping.kind, mapping.source) == ("people", "salesforce")
    assert mapping.as_dict() == {"first_name": "First Name", "last_name": "Last Name", "title": "Title",
                                 "company": "Account Name", "email": "Email", "phone": "Phone",
                                 "country": "Mailing Country"}


def test_a_salesforce_accounts_report_maps_to_companies():
    mapping = resolve(["Account ID", "Account Name", "Website", "Industry", "Employees", "Billing Country"])
    assert (mapping.kind, mapping.source) == ("companies", "salesforce")
    assert mapping.as_dict()["name"] == "Account Name"
    assert mapping.as_dict()["employee_count"] == "Employees"


def test_a_pipedrive_people_export_is_recognised():
    headers = ["Person - Name", "Person - Email - Work", "Person - Phone - Work", "Person - Organization",
               "Person - Job title", "Person - Owner"]
    mapping = resolve(headers)
    assert (mapping.kind, mapping.source) == ("people", "pipedrive")
    assert mapping.as_dict() == {"full_name": "Person - Name", "email": "Person - Email - Work",
                                 "phone": "Person - Phone - Work", "company": "Person - Organization",
                                 "title": "Person - Job title"}


def test_a_pipedrive_organizations_export_maps_to_companies():
    mapping = resolve(["Organization - Name", "Organization - Website", "Organization - Industry",
                       "Organization - Number of employees"])
    assert (mapping.kind, mapping.source) == ("companies", "pipedrive")
    assert mapping.as_dict()["name"] == "Organization - Name"


def test_other_headers_are_mapped_by_similarity():
    mapping = resolve(["E-Mail Adress", "Vorname", "Surname", "Mobile", "Job Title", "Employer"])
    assert mapping.source == "similarity"
    assert mapping.as_dict() == {"email": "E-Mail Adress", "first_name": "Vorname", "last_name": "Surname",
                                 "phone": "Mobile", "title": "Job Title", "company": "Employer"}


def test_a_plain_file_is_not_mistaken_for_a_crm_export():
    assert recognise(["Name", "Email", "Company"]) is None


def test_a_bad_mapping_file_says_which_column(tmp_path):
    path = tmp_path / "map.toml"
    path.write_text('[columns]\n"Mail" = "e_mail"\n')
    with pytest.raises(MappingError, match="column 'Mail' maps to 'e_mail', which is not a field"):
        resolve(["Mail"], mapping=str(path))
