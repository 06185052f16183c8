"""The pipeline a new touchbase starts with: stages of a startup's sale and what must
be true before a deal leaves each one. Editable afterwards in the admin."""

from .models import StageKind

DEFAULT_PIPELINE = "Sales"

# (name, probability %, kind, exit criteria)
DEFAULT_STAGES = [
    ("Qualify", 10, StageKind.OPEN, ["Fits the lead framework", "Pain confirmed in their words", "Decision maker named"]),
    ("Discovery", 25, StageKind.OPEN, ["Budget range known", "Timeline known", "Champion identified"]),
    ("Demo", 45, StageKind.OPEN, ["Demo held with the decision maker", "Success criteria agreed"]),
    ("Proposal", 65, StageKind.OPEN, ["Proposal sent", "Pricing reviewed with the champion"]),
    ("Negotiation", 85, StageKind.OPEN, ["Order form redlines settled", "Signer and signing date confirmed"]),
    ("Won", 100, StageKind.WON, []),
    ("Lost", 0, StageKind.LOST, []),
]


def create_default_pipeline(Pipeline, Stage, ExitCriterion):
    """Create the default pipeline (models passed in so a migration can use its historical ones)."""
    pipeline, created = Pipeline.objects.get_or_create(name=DEFAULT_PIPELINE, defaults={"is_default": True})
    if not created:
        return pipeline
    for order, (name, probability, kind, criteria) in enumerate(DEFAULT_STAGES, start=1):
        stage = Stage.objects.create(pipeline=pipeline, name=name, order=order, probability=probability, kind=kind)
        for i, criterion in enumerate(criteria, start=1):
            ExitCriterion.objects.create(stage=stage, name=criterion, order=i)
    return pipeline
