"""The SDK's models: Customer, Event, Properties and a customer's items."""

from contacthub.models.customer import Customer
from contacthub.models.education import Education
from contacthub.models.event import Event
from contacthub.models.job import Job
from contacthub.models.like import Like
from contacthub.models.properties import Properties
from contacthub.models.subscription import Subscription

__all__ = ["Customer", "Education", "Event", "Job", "Like", "Properties", "Subscription"]
