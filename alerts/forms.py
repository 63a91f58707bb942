from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import UNDER_A_TREATY, Follows, Frequency, Subscription, Topic
from states.models import State


class SubscribeForm(forms.ModelForm):
    states = forms.ModelMultipleChoiceField(
        State.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("States"),
        to_field_name="iso3",
    )

    class Meta:
        model = Subscription
        fields = ["email", "follows", "states", "topic", "treaty", "frequency"]
        widgets = {
            "follows": forms.RadioSelect,
            "topic": forms.RadioSelect,
            "frequency": forms.RadioSelect,
        }
        labels = {
            "follows": _("Tell me about"),
            "topic": _("Which kind"),
            "treaty": _("Under which treaty (treaty actions and asks)"),
            "frequency": _("How often"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons offer only real choices (a model field's choices start with a blank one).
        self.fields["follows"].choices = Follows.choices
        self.fields["topic"].choices = Topic.choices
        self.fields["frequency"].choices = Frequency.choices
        self.fields["states"].label_from_instance = lambda state: state.local_name
        self.fields["treaty"].label_from_instance = lambda treaty: treaty.local_name
        self.fields["treaty"].empty_label = _("Any treaty")
        self.fields["treaty"].to_field_name = "slug"

    def clean(self):
        cleaned = super().clean()
        follows = cleaned.get("follows")
        if follows == Follows.STATES and not cleaned.get("states"):
            self.add_error("states", _("Choose at least one state, or follow every change."))
        if follows == Follows.TOPIC and not cleaned.get("topic"):
            self.add_error("topic", _("Choose the kind of change to follow."))
        if follows != Follows.TOPIC:
            cleaned["topic"] = ""
        if cleaned.get("topic") not in UNDER_A_TREATY:
            cleaned["treaty"] = None
        if follows != Follows.STATES:
            cleaned["states"] = State.objects.none()
        if cleaned.get("frequency") not in Frequency.values:
            self.add_error("frequency", _("Choose how often."))
        return cleaned
