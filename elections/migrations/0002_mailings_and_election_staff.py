"""Mailings sent once each; the certify permission; the Election staff group (portal/accounts/groups.py)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models



def election_staff(apps, schema_editor):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('elections', '0001_initial'),
        ('accounts', '0004_custom_permission_content_type'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='election',
            options={'ordering': ['-voting_closes', 'pk'], 'permissions': [('certify_election', 'Can certify election')]},
        ),
        migrations.CreateModel(
            name='Mailing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('nominations_open', 'Nominations are open'), ('invited', 'You were nominated'), ('voting_open', 'Voting is open'), ('reminder', 'Reminder to vote'), ('results', 'Results')], max_length=20)),
                ('key', models.CharField(max_length=60)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('sent_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('recipients', models.PositiveIntegerField(default=0, editable=False)),
                ('candidate', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='elections.candidate')),
                ('election', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mailings', to='elections.election')),
            ],
            options={
                'ordering': ['created_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('election', 'key'), name='election_mailing_once')],
            },
        ),
        migrations.RunPython(election_staff, migrations.RunPython.noop),
    ]
