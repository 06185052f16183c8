"""Server-side SVG charts: the one drawing used by the report page, the PDF and the email.

Plain functions from numbers to an SVG string, with every label escaped. No
chart library: four small shapes cover the report, draw in well under a
millisecond, and look the same in a browser and in Chromium's PDF. Mail
clients (Gmail, Outlook) show no inline SVG, so the email gets the same SVG
rasterised by `png`. Each chart also carries its numbers in words (`alt`), for
the image's alt text and for readers who block images.
"""

from html import escape

import resvg_py

INK, MUTED, LINE = "#1d2430", "#6b7685", "#e2e6ec"
ACCENT, ACCENT_SOFT, WON, WARN = "#0f766e", "#99d5cf", "#15803d", "#b54708"
# DejaVu and Liberation name the fonts Linux has for `png` (its renderer knows no "system-ui"); a browser
# stops at the first family it has, so they change nothing where the earlier ones exist.
FONT = ('font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, Liberation Sans, DejaVu Sans, '
        'sans-serif"')


class Chart(str):
    """An SVG drawing (a plain string to templates) that also says its numbers in words."""

    alt: str
    width: int
    height: int

    def __new__(cls, markup: str, *, alt: str, width: int, height: int):
        chart = super().__new__(cls, markup)
        chart.alt, chart.width, chart.height = alt, width, height
        return chart


def _svg(width: int, height: int, body: list[str], title: str, alt: str) -> Chart:
    markup = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
              f'role="img" aria-label="{escape(alt)}" {FONT} font-size="12">'
              f'<title>{escape(title)}</title>{"".join(body)}</svg>')
    return Chart(markup, alt=alt, width=width, height=height)


def png(chart: Chart, *, scale: int = 2) -> bytes:
    """The chart as a PNG on white, `scale` pixels per SVG unit (2: sharp on high-density screens).

    resvg, a Rust renderer in a self-contained wheel, draws it in tens of milliseconds with the
    machine's own fonts; printing it through Chromium took over a second a chart.
    """
    return bytes(resvg_py.svg_to_bytes(svg_string=str(chart), background="#ffffff", zoom=scale))


def _text(x, y, text, *, anchor="start", fill=INK, size=12, weight="normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-size="{size}" '
            f'font-weight="{weight}">{escape(str(text))}</text>')


def trend(title: str, labels: list[str], values: list[float], targets: list[float | None]) -> Chart:
    """Bars of a measure over recent periods, with the target of each period as a step line."""
    width, height, left, bottom, top = 560, 200, 36, 28, 24
    top_value = max([*values, *(t for t in targets if t is not None), 1])
    plot_h = height - top - bottom
    slot = (width - left - 8) / max(1, len(values))

    def y(v):
        return top + plot_h * (1 - v / top_value)

    body = [_text(left, 14, title, weight="600")]
    for fraction in (0, 0.5, 1):
        gy = y(top_value * fraction)
        body.append(f'<line x1="{left}" x2="{width - 8}" y1="{gy:.1f}" y2="{gy:.1f}" stroke="{LINE}"/>')
        body.append(_text(left - 6, gy + 4, f"{top_value * fraction:.0f}", anchor="end", fill=MUTED, size=10))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + slot * 0.18
        bar_w = slot * 0.64
        last = i == len(values) - 1
        body.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" height="{max(0, y(0) - y(value)):.1f}" '
                    f'rx="2" fill="{ACCENT if last else ACCENT_SOFT}"><title>{escape(label)}: {value:g}</title></rect>')
        body.append(_text(x + bar_w / 2, y(value) - 4, f"{value:g}", anchor="middle", size=10))
        body.append(_text(x + bar_w / 2, height - 10, label, anchor="middle", fill=MUTED, size=10))
        target = targets[i]
        if target is not None:
            tx = left + i * slot
            body.append(f'<line x1="{tx:.1f}" x2="{tx + slot:.1f}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
                        f'stroke="{WARN}" stroke-width="2" stroke-dasharray="5 3"/>')
    if any(t is not None for t in targets):
        body.append(_text(width - 8, 14, "- - target", anchor="end", fill=WARN, size=10))
    words = ", ".join(f"{label} {value:g}" + (f" (target {target:g})" if target is not None else "")
                      for label, value, target in zip(labels, values, targets, strict=True))
    return _svg(width, height, body, title, f"{title}: {words or 'no periods'}.")


def funnel(title: str, steps: list[tuple[str, int, str]]) -> Chart:
    """Horizontal bars, one per stage: (stage name, deals that entered, conversion text)."""
    row, left, width = 30, 110, 560
    height = 28 + row * len(steps)
    most = max([n for _s, n, _c in steps] + [1])
    body = [_text(0, 14, title, weight="600")]
    for i, (name, entered, conversion) in enumerate(steps):
        y = 24 + i * row
        bar = (width - left - 150) * entered / most
        body.append(_text(left - 8, y + 16, name, anchor="end"))
        body.append(f'<rect x="{left}" y="{y + 4}" width="{max(bar, 1):.1f}" height="18" rx="3" fill="{ACCENT}"/>')
        body.append(_text(left + bar + 6, y + 17, f"{entered} entered · {conversion}", fill=MUTED, size=11))
    words = "; ".join(f"{name} {entered} entered, {conversion} moved forward" for name, entered, conversion in steps)
    return _svg(width, height, body, title, f"{title}: {words or 'no stages'}.")


def progress(title: str, actual: float, target: float | None, pace: float | None, actual_text: str,
             target_text: str) -> Chart:
    """A bar toward the target, with a marker where the period ends at the current rate."""
    width, height, left, right = 560, 74, 4, 4
    scale = max(actual, target or 0, pace or 0, 1)
    span = width - left - right

    def x(v):
        return left + span * v / scale

    body = [_text(0, 14, title, weight="600"),
            f'<rect x="{left}" y="26" width="{span}" height="20" rx="4" fill="{LINE}"/>',
            f'<rect x="{left}" y="26" width="{max(0, x(actual) - left):.1f}" height="20" rx="4" fill="{WON}"/>']
    if pace is not None and pace > actual:
        body.append(f'<rect x="{x(actual):.1f}" y="30" width="{x(pace) - x(actual):.1f}" height="12" '
                    f'fill="{WON}" opacity=".3"/>')
    if target:
        body.append(f'<line x1="{x(target):.1f}" x2="{x(target):.1f}" y1="20" y2="52" stroke="{WARN}" '
                    f'stroke-width="2"/>')
    label = f"{actual_text} of {target_text}" if target else f"{actual_text} (no target set)"
    body.append(_text(left, 66, label, fill=MUTED, size=11))
    return _svg(width, height, body, title, f"{title}: {label}.")


def forecast(title: str, bars: list[tuple[str, float, str]]) -> Chart:
    """Labelled horizontal bars on one scale, coloured by the label's last word (commit, weighted, won, target)."""
    row, left, width = 28, 130, 560
    height = 26 + row * len(bars)
    most = max([v for _l, v, _t in bars] + [1])
    colours = {"commit": WON, "weighted": ACCENT_SOFT, "won": ACCENT, "target": WARN}
    body = [_text(0, 14, title, weight="600")]
    for i, (label, value, text) in enumerate(bars):
        y = 22 + i * row
        bar = (width - left - 120) * value / most
        body.append(_text(left - 8, y + 15, label, anchor="end"))
        body.append(f'<rect x="{left}" y="{y + 3}" width="{max(bar, 1):.1f}" height="16" rx="3" '
                    f'fill="{colours.get(label.split()[-1], ACCENT)}"/>')
        body.append(_text(left + bar + 6, y + 15, text, fill=MUTED, size=11))
    words = "; ".join(f"{label} {text}" for label, _value, text in bars)
    return _svg(width, height, body, title, f"{title}: {words or 'nothing expected'}.")
