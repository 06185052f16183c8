"""Each leading measure is drawn as a trend against its target line, the same drawing in page, PDF and mail."""

from datetime import date

from touchbase.metrics.services import target_set

W48 = "/reports/weekly/2026-W48"


def test_new_conversations_trend_over_eight_weeks_with_the_target_line(quarter, client_for, maya):
    target_set(actor=maya, measure="new_conversations", period="week", amount=2, starts_on=date(2026, 11, 16))
    report = client_for(quarter.sam).get(W48, {"seller": quarter.sam.pk}).context["report"]
    chart = report.charts["conversations"]
    # Lee's first reply on Monday 5 October (W41) and Dana's on 25 November (W48). The target is the
    # company's, so Sam's own chart has no target line and the company's has it from W47 on.
    assert chart.alt == ("New conversations by week: W41 1, W42 0, W43 0, W44 0, W45 0, W46 0, W47 0, W48 1.")
    company = client_for(maya).get(W48).context["report"].charts["conversations"]
    assert company.alt.endswith("W47 0 (target 2), W48 1 (target 2).")
    assert "W46 0," in company.alt and "W46 0 (target" not in company.alt  # the target began in W47


def test_the_page_the_present_view_and_the_pdf_draw_the_same_conversations_chart(quarter, client_for):
    from touchbase.metrics import exports

    client = client_for(quarter.sam)
    page = client.get(W48)
    chart = str(page.context["report"].charts["conversations"])
    assert chart in page.content.decode()
    assert chart in client.get(W48, {"present": 1}).content.decode()
    assert chart in exports.to_html(page.context["report"])
