"""The models under the guide's other module name: ``from contacthub.model import Education``."""

from contacthub.models import Customer, Education, Event, Job, Like, Properties, Subscription

__all__ = ["Customer", "Education", "Event", "Job", "Like", "Properties", "Subscription"]
