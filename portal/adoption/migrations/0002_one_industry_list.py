"""Survey answers take the one industry list of portal/core/industries.py (the members' stored values).

Converts the stored answers and the published aggregates (keys and labels); reversible. Going back,
the industries the survey never had (hardware, software, non-profit) become "other".
"""

from django.db import migrations, models

# The survey's old values -> the shared list's.
OLD_TO_NEW = {"financial": "finance", "academic": "research", "web": "media", "public-cloud": "cloud"}
NEW_TO_OLD = {new: old for old, new in OLD_TO_NEW.items()} | {"hardware": "other", "software": "other", "nonprofit": "other"}

# Frozen here: a migration must not follow later edits of the choices.
OLD_CHOICES = [
    ("retail", "Retail and e-commerce"),
    ("financial", "Financial services"),
    ("academic", "Academic and research"),
    ("telecom", "Telecom"),
    ("government", "Energy, transportation and government"),
    ("manufacturing", "Manufacturing"),
    ("web", "Web and entertainment"),
    ("public-cloud", "Public cloud"),
    ("other", "Other"),
]
NEW_CHOICES = [
    ("cloud", "Public cloud"),
    ("telecom", "Telecommunications"),
    ("hardware", "Hardware and semiconductors"),
    ("software", "Software and services"),
    ("finance", "Financial services"),
    ("retail", "Retail and e-commerce"),
    ("research", "Academic and research"),
    ("government", "Energy, transportation and government"),
    ("manufacturing", "Manufacturing"),
    ("media", "Web and entertainment"),
    ("nonprofit", "Non-profit"),
    ("other", "Other"),
]


def convert_segments(segments: list[dict], mapping: dict[str, str], labels: dict[str, str]) -> list[dict]:
    """Renamed keys and labels; segments that land on the same key are added up, "other" stays last."""
    merged: dict[str, dict] = {}
    for segment in segments:
        key = mapping.get(segment["key"], segment["key"])
        if key in merged:
            merged[key]["responses"] += segment["responses"]
            merged[key]["cores"] += segment["cores"]
        else:
            merged[key] = {**segment, "key": key, "label": labels.get(key, segment["label"])}
    return sorted(merged.values(), key=lambda segment: segment["key"] == "other")


def convert(apps, mapping: dict[str, str], choices: list[tuple[str, str]]) -> None:
    """Rewrite every stored answer's industry and every aggregate's industry breakdown."""
    SurveyResponse = apps.get_model("adoption", "SurveyResponse")
    EditionAggregate = apps.get_model("adoption", "EditionAggregate")
    for old, new in mapping.items():
        SurveyResponse.objects.filter(industry=old).update(industry=new)
    labels = dict(choices)
    for aggregate in EditionAggregate.objects.all():
        aggregate.by_industry = convert_segments(aggregate.by_industry, mapping, labels)
        aggregate.save(update_fields=["by_industry"])


def forwards(apps, schema_editor):
    convert(apps, OLD_TO_NEW, NEW_CHOICES)


def backwards(apps, schema_editor):
    convert(apps, NEW_TO_OLD, OLD_CHOICES)


class Migration(migrations.Migration):
    dependencies = [("adoption", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="surveyresponse",
            name="industry",
            field=models.CharField(choices=NEW_CHOICES, max_length=20),
        ),
        migrations.RunPython(forwards, backwards),
    ]
