"""Partners get a name in Vietnamese and in English, like their purpose.

The former single ``name`` (English wording) becomes ``name_en``; ``name_vi`` is filled from the
seed's wording for the partners Logitrack ships (``register.DECLARED_PARTNERS``), and from the
English name for a partner the officer added (to be translated on the officer's page).
"""

from django.db import migrations, models

# The seed's Vietnamese names at the time of this migration (a copy, so that later edits to the
# seed do not change what this migration did).
_SEED_NAMES_VI = {
    "hosting": "Nhà cung cấp máy chủ (trung tâm dữ liệu tại Việt Nam do đơn vị vận hành chọn)",
    "smtp-relay": "Máy chủ chuyển tiếp thư (máy chủ SMTP tại EMAIL_HOST)",
    "object-storage": "Kho lưu trữ đối tượng tương thích S3 (khi LOGITRACK_DOCUMENT_STORAGE chỉ định)",
    "carriers": "Đơn vị vận chuyển do doanh nghiệp thuê",
}


def fill_vietnamese_names(apps, schema_editor):
    Partner = apps.get_model("breaches", "Partner")
    for partner in Partner.objects.order_by("pk"):
        partner.name_vi = _SEED_NAMES_VI.get(partner.key, partner.name_en)
        partner.save(update_fields=["name_vi"])


def keep_english_only(apps, schema_editor):
    """Going back drops ``name_vi``; nothing to do before that."""


class Migration(migrations.Migration):
    dependencies = [
        ("breaches", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="partner", old_name="name", new_name="name_en"),
        migrations.AlterField(
            model_name="partner",
            name="name_en",
            field=models.CharField(max_length=150, verbose_name="name in English"),
        ),
        migrations.AddField(
            model_name="partner",
            name="name_vi",
            field=models.CharField(default="", max_length=150, verbose_name="name in Vietnamese"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_vietnamese_names, keep_english_only),
        migrations.AlterModelOptions(
            name="partner",
            options={
                "ordering": ["kind", "name_en"],
                "verbose_name": "partner",
                "verbose_name_plural": "partners",
            },
        ),
    ]
