import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0001_initial'),
        ('customers', '0001_initial'),
        ('followup', '0001_initial'),
        ('service', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='callback',
            name='agent',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assigned_callbacks', to=settings.AUTH_USER_MODEL, verbose_name='agent'),
        ),
        migrations.AddField(
            model_name='callback',
            name='attempt_count',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='attempts'),
        ),
        migrations.AddField(
            model_name='callback',
            name='customer',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='callbacks', to='customers.customer', verbose_name='customer'),
        ),
        migrations.AddField(
            model_name='callback',
            name='last_outcome',
            field=models.CharField(blank=True, choices=[('reached', 'Reached'), ('no_answer', 'No answer'), ('busy', 'Busy'), ('wrong_number', 'Wrong number'), ('refused', 'Refused'), ('call_back_later', 'Call back later')], max_length=16, verbose_name='last outcome'),
        ),
        migrations.AddField(
            model_name='callback',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='next attempt at'),
        ),
        migrations.AddField(
            model_name='callback',
            name='raised_request',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='raised_by_callbacks', to='service.servicerequest', verbose_name='request raised'),
        ),
        migrations.AddField(
            model_name='callback',
            name='scheduled_for',
            field=models.DateField(blank=True, null=True, verbose_name='scheduled for'),
        ),
        migrations.AddField(
            model_name='callback',
            name='unanswered_count',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='unanswered attempts'),
        ),
        migrations.AddField(
            model_name='callback',
            name='unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='callbacks', to='catalog.unit', verbose_name='unit'),
        ),
        migrations.AlterField(
            model_name='callback',
            name='done_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='processed at'),
        ),
        migrations.AlterField(
            model_name='callback',
            name='done_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='processed by'),
        ),
        migrations.AlterField(
            model_name='callback',
            name='outcome',
            field=models.TextField(blank=True, verbose_name='what the customer said'),
        ),
        migrations.AlterField(
            model_name='callback',
            name='request',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='callbacks', to='service.servicerequest', verbose_name='request'),
        ),
        migrations.AlterField(
            model_name='callback',
            name='result',
            field=models.CharField(blank=True, choices=[('close', 'Satisfied: close the request'), ('reopen', 'Not satisfied: reopen the request (rework)'), ('complaint', 'Raise a complaint'), ('new_request', 'Register a new request'), ('none', 'Leave the request as it is')], max_length=16, verbose_name='result'),
        ),
        migrations.AlterField(
            model_name='callback',
            name='status',
            field=models.CharField(choices=[('open', 'To do'), ('done', 'Done'), ('unreached', 'Not reached'), ('declined', 'Declined by the customer'), ('withdrawn', 'Withdrawn')], default='open', max_length=16, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='CallbackAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='attempt')),
                ('outcome', models.CharField(choices=[('reached', 'Reached'), ('no_answer', 'No answer'), ('busy', 'Busy'), ('wrong_number', 'Wrong number'), ('refused', 'Refused'), ('call_back_later', 'Call back later')], max_length=16, verbose_name='outcome')),
                ('phone', models.CharField(blank=True, max_length=32, verbose_name='phone dialled')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('call_back_at', models.DateTimeField(blank=True, null=True, verbose_name='call back at')),
                ('at', models.DateTimeField(verbose_name='at')),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('callback', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attempts', to='followup.callback', verbose_name='callback')),
            ],
            options={
                'verbose_name': 'callback attempt',
                'verbose_name_plural': 'callback attempts',
                'ordering': ['callback', 'number'],
            },
        ),
        migrations.CreateModel(
            name='CallbackPromise',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('question', models.TextField(verbose_name='question')),
                ('due_at', models.DateTimeField(db_index=True, verbose_name='answer due at')),
                ('status', models.CharField(choices=[('open', 'Awaiting the answer'), ('answered', 'Answered')], default='open', max_length=16, verbose_name='status')),
                ('answer', models.TextField(blank=True, verbose_name='answer')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='escalated at')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answered by')),
                ('callback', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='promises', to='followup.callback', verbose_name='callback')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='responsible for the answer')),
            ],
            options={
                'verbose_name': 'promised answer',
                'verbose_name_plural': 'promised answers',
                'ordering': ['due_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='CallbackSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('next_due_on', models.DateField(blank=True, db_index=True, null=True, verbose_name='next callback on')),
                ('last_scheduled_for', models.DateField(blank=True, null=True, verbose_name='last callback for')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
                ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('unit', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='callback_schedule', to='catalog.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'callback schedule',
                'verbose_name_plural': 'callback schedules',
                'ordering': ['next_due_on', 'id'],
            },
        ),
        migrations.AddField(
            model_name='callback',
            name='schedule',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='callbacks', to='followup.callbackschedule', verbose_name='schedule'),
        ),
        migrations.AddIndex(
            model_name='callback',
            index=models.Index(fields=['agent', 'status', 'due_at'], name='callback_agent_list_idx'),
        ),
        migrations.AddConstraint(
            model_name='callback',
            constraint=models.UniqueConstraint(condition=models.Q(('schedule__isnull', False)), fields=('schedule', 'scheduled_for'), name='callback_one_per_occurrence'),
        ),
        migrations.AddConstraint(
            model_name='callback',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'open'), ('schedule__isnull', False)), fields=('schedule',), name='callback_one_open_per_schedule'),
        ),
        migrations.AddConstraint(
            model_name='callback',
            constraint=models.CheckConstraint(condition=models.Q(('request__isnull', False), ('unit__isnull', False), _connector='OR'), name='callback_about_something'),
        ),
        migrations.AddConstraint(
            model_name='callbackattempt',
            constraint=models.UniqueConstraint(fields=('callback', 'number'), name='callback_attempt_number'),
        ),
    ]
