"""Demand plans in and out: plan lines sent by API, upload requests, versions, lines and changes."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from openvmi.fields import Code, Quantity, Text
from openvmi.planning.rules import Bucket, Change, Source

MAX_LINES = 200_000  # a year of days for ~550 item-plant pairs; a bigger plan is a file upload


class PlanLineIn(BaseModel):
    """One requirement: a quantity of an item at a plant on a day, or in an ISO week (2026-W49)."""

    item_code: Code
    plant_code: Code
    day: date | None = None
    week: Text | None = Field(default=None, max_length=20, examples=["2026-W49"])
    quantity: Quantity

    @model_validator(mode="after")
    def _one_bucket(self) -> "PlanLineIn":
        if (self.day is None) == (self.week is None):
            raise ValueError("give either day or week")
        return self


class PlanPublish(BaseModel):
    """A whole plan: it replaces the current one as the next version."""

    lines: list[PlanLineIn] = Field(min_length=1, max_length=MAX_LINES)


class PlanUploadRequest(BaseModel):
    """How to read one uploaded plan file (the file itself travels separately)."""

    filename: Text = Field(default="upload", max_length=300)
    dry_run: bool = False
    encoding: Text | None = Field(default=None, max_length=40)
    sheet: Text | None = Field(default=None, max_length=100)


class CheckedLine(BaseModel):
    """A plan line after its item and plant were found: what a version stores."""

    item_id: int
    plant_id: int
    bucket: Bucket
    day: date
    quantity: Decimal


class PlanVersionRead(BaseModel):
    number: int
    source: Source
    filename: str | None
    line_count: int
    published_at: datetime

    model_config = {"from_attributes": True}


class PlanVersionPage(BaseModel):
    items: list[PlanVersionRead]
    next_cursor: str | None


class PlanCheckRead(BaseModel):
    """What a plan would publish (a dry run), or what it did publish."""

    version: PlanVersionRead | None  # None for a dry run
    replayed: bool = False
    line_count: int
    item_count: int | None  # None for a replay: it answers with the version it published before
    plant_count: int | None
    first_day: date | None
    last_day: date | None
    ignored_columns: list[str] = []
    # A dry run whose file is kept: POST /demand-plans/checks/{check_id}/publish publishes it, by who
    # checked it, until kept_until, without sending the file again.
    check_id: int | None = None
    kept_until: datetime | None = None


class PlanLineRead(BaseModel):
    item_id: int
    item_code: str
    plant_id: int
    plant_code: str
    bucket: Bucket
    day: date
    week: str  # the ISO week of `day`, 2026-W49
    quantity: Decimal


class PlanLinePage(BaseModel):
    version: int
    items: list[PlanLineRead]
    next_cursor: str | None


class WeekChangeRead(BaseModel):
    """One item's requirement at one plant in one ISO week, before and now."""

    item_id: int
    item_code: str
    plant_id: int
    plant_code: str
    week: str
    week_start: date
    previous: Decimal
    current: Decimal
    delta: Decimal
    change: Change


class PlanChangesRead(BaseModel):
    version: int
    previous_version: int | None  # None: the first plan, every week is new
    items: list[WeekChangeRead]
    next_cursor: str | None = None  # the next page of weeks (GET .../changes?cursor=)
