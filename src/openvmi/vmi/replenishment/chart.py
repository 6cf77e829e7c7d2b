"""Geometry of the replenishment chart, drawn by the server as SVG (no script, no CDN): the projected
stock with and without the suggestions against the min and max lines. Pure arithmetic; the template
adds the words."""
from dataclasses import dataclass
from decimal import Decimal

from openvmi.vmi.replenishment.schemas import ReplenishmentRead

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 36


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plain: str  # polyline points: the stock if nothing is done
    suggested: str  # polyline points: with the suggestions shipped
    min_y: float
    max_y: float
    zero_y: float
    left: int
    right: float
    shipments: list[Tick]  # a marker per suggestion (label: its quantity)
    days: list[Tick]  # x-axis: the Mondays (label: ISO date)
    levels: list[Tick]  # y-axis: a few quantities


def _nice_step(span: Decimal) -> Decimal:
    raw = span / 4
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal(1)
    for factor in (1, 2, 5, 10):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10


def draw(projection: ReplenishmentRead) -> Chart:
    days = projection.days
    values = [d["projected"] for d in days] + [d["with_suggestions"] for d in days]
    low = min([Decimal(0), *values])
    high = max([projection.max_level, *values]) or Decimal(1)
    high = high + (high - low) / 10
    span = high - low or Decimal(1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return round(LEFT + plot_w * index / max(len(days) - 1, 1), 1)

    def y(value: Decimal) -> float:
        return round(float(TOP + plot_h * (high - value) / span), 1)

    def points(attribute: str) -> str:
        return " ".join(f"{x(i)},{y(d[attribute])}" for i, d in enumerate(days))

    index_of = {d["day"]: i for i, d in enumerate(days)}
    shipments = [Tick(x(index_of[s.due]), y(days[index_of[s.due]]["with_suggestions"]), f"{s.quantity.normalize():f}")
                 for s in projection.suggestions if s.due in index_of]
    mondays = [Tick(x(i), HEIGHT - BOTTOM + 16, d["day"].isoformat()[5:]) for i, d in enumerate(days)
               if d["day"].weekday() == 0]
    step = _nice_step(span)
    first = (low / step).to_integral_value(rounding="ROUND_CEILING") * step
    levels = []
    value = first
    while value <= high:
        levels.append(Tick(LEFT - 6, y(value), f"{value.normalize():f}"))
        value += step
    return Chart(width=WIDTH, height=HEIGHT, plain=points("projected"), suggested=points("with_suggestions"),
                 min_y=y(projection.min_level), max_y=y(projection.max_level), zero_y=y(Decimal(0)), left=LEFT,
                 right=WIDTH - RIGHT, shipments=shipments, days=mondays, levels=levels)
