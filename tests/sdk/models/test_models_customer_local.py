"""Customer without a server: the template, to_dict, the mutation tracker, enums, query fields."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from contacthub.errors import OperationNotPermitted
from contacthub.models import Customer, Education, Like, Properties, Subscription
from contacthub.models.query.criterion import Criterion
from contacthub.models.query.entity_field import EntityField

STORED: dict[str, Any] = {
    "id": "c-1",
    "nodeId": "n-1",
    "externalId": "ext-1",
    "extra": None,
    "registeredAt": "2017-03-08T10:18:17.000+0000",
    "updatedAt": "2017-03-08T10:18:17.000+0000",
    "enabled": True,
    "base": {
        "firstName": "Bruce",
        "lastName": "Wayne",
        "dob": "1970-02-19",
        "contacts": {
            "email": "bruce@example.com",
            "fax": None,
            "otherContacts": [],
            "mobileDevices": [],
        },
        "address": None,
        "educations": [{"id": "e1", "schoolName": "Gotham High", "isCurrent": False}],
        "likes": [],
        "jobs": [],
        "subscriptions": [],
    },
    "extended": {"points": 10, "prefs": {"color": "black"}},
    "consents": None,
    "tags": {"auto": ["rich"], "manual": ["vip"]},
}


def stored() -> Customer:
    return Customer.from_dict(None, copy.deepcopy(STORED))


def test_a_new_customer_starts_from_the_guide_template() -> None:
    customer = Customer(node=None)
    assert customer.to_dict() == {
        "base": {"contacts": {}},
        "extended": {},
        "consents": {},
        "tags": {"manual": [], "auto": []},
    }


def test_new_customer_attributes_can_be_set_as_the_guide_shows() -> None:
    customer = Customer(node=None)
    customer.base.firstName = "Bruce"
    customer.base.contacts.email = "email@example.com"
    customer.extra = "extra"
    customer.extended.my_string = "my new extended property string"
    customer.consents = {
        "marketing": {"automatic": {"email": {"status": True, "limitation": False}}}
    }
    customer.base.address = Properties(city="city", geo=Properties(lat=40, lon=100))
    body = customer.to_dict()
    assert body["base"] == {
        "contacts": {"email": "email@example.com"},
        "firstName": "Bruce",
        "address": {"city": "city", "geo": {"lat": 40, "lon": 100}},
    }
    assert body["extra"] == "extra"
    assert body["extended"] == {"my_string": "my new extended property string"}
    assert body["consents"]["marketing"]["automatic"]["email"]["status"] is True


def test_default_attributes_replace_the_template() -> None:
    customer = Customer(node=None, default_attributes={"base": {}})
    customer.base.firstName = "Bruce"
    assert customer.to_dict() == {"base": {"firstName": "Bruce"}}
    with pytest.raises(AttributeError, match="customer has no attribute 'extended'"):
        _ = customer.extended


def test_keyword_attributes_set_top_level_properties() -> None:
    customer = Customer(node=None, externalId="01", base=Properties(firstName="A"))
    assert customer.externalId == "01"
    assert customer.to_dict()["base"] == {"firstName": "A"}
    assert customer.to_dict()["tags"] == {"manual": [], "auto": []}


def test_to_dict_is_a_deep_copy() -> None:
    customer = stored()
    body = customer.to_dict()
    body["base"]["firstName"] = "changed"
    body["tags"]["manual"].append("x")
    assert customer.base.firstName == "Bruce"
    assert customer.tags.manual == ["vip"]


def test_an_unchanged_customer_tracks_only_its_id() -> None:
    assert stored().get_mutation_tracker() == {"id": "c-1"}


def test_tracker_holds_nested_changes_only() -> None:
    customer = stored()
    customer.base.contacts.email = "new@example.com"
    customer.extended.prefs.color = "grey"
    assert customer.get_mutation_tracker() == {
        "id": "c-1",
        "base": {"contacts": {"email": "new@example.com"}},
        "extended": {"prefs": {"color": "grey"}},
    }


def test_tracker_sets_removed_keys_to_none() -> None:
    customer = stored()
    del customer.extended.points
    del customer.base.contacts.email
    assert customer.get_mutation_tracker() == {
        "id": "c-1",
        "base": {"contacts": {"email": None}},
        "extended": {"points": None},
    }


def test_tracker_gives_changed_lists_whole() -> None:
    customer = stored()
    customer.tags.manual += ["gold"]
    customer.base.subscriptions += [
        Properties(id="s1", name="news", kind=Customer.SUBSCRPTION_KINDS.SERVICE)
    ]
    assert customer.get_mutation_tracker() == {
        "id": "c-1",
        "base": {"subscriptions": [{"id": "s1", "name": "news", "kind": "SERVICE"}]},
        "tags": {"manual": ["vip", "gold"]},
    }


def test_changing_an_item_read_from_the_customer_changes_its_list() -> None:
    customer = stored()
    education = customer.base.educations[0]
    assert isinstance(education, Education)
    education.schoolName = "Gotham University"
    assert customer.get_mutation_tracker() == {
        "id": "c-1",
        "base": {
            "educations": [{"id": "e1", "schoolName": "Gotham University", "isCurrent": False}]
        },
    }
    assert customer.base.educations[0].schoolName == "Gotham University"


def test_setting_an_attribute_back_to_its_stored_value_is_no_change() -> None:
    customer = stored()
    customer.base.firstName = "Alfred"
    customer.base.firstName = "Bruce"
    customer.tags.manual = ["vip"]
    assert customer.get_mutation_tracker() == {"id": "c-1"}


def test_a_replaced_object_tracks_removed_keys_inside_it() -> None:
    customer = stored()
    customer.extended = {"points": 11}
    assert customer.get_mutation_tracker() == {
        "id": "c-1",
        "extended": {"points": 11, "prefs": None},
    }


def test_a_value_that_was_null_becomes_an_object() -> None:
    customer = stored()
    customer.base.address = Properties(city="Gotham")
    customer.consents = Properties(softSpam=Properties(email=Properties(status=True)))
    assert customer.get_mutation_tracker() == {
        "id": "c-1",
        "base": {"address": {"city": "Gotham"}},
        "consents": {"softSpam": {"email": {"status": True}}},
    }


def test_the_tracker_never_changes_the_stored_document() -> None:
    source = copy.deepcopy(STORED)
    customer = Customer.from_dict(None, source)
    customer.base.contacts.email = "x@example.com"
    customer.base.educations[0].isCurrent = True
    customer.tags.manual += ["t"]
    customer.get_mutation_tracker()
    assert source == STORED


def test_a_new_customer_tracks_everything() -> None:
    customer = Customer(node=None)
    customer.base.firstName = "A"
    assert customer.get_mutation_tracker() == {
        "base": {"contacts": {}, "firstName": "A"},
        "extended": {},
        "consents": {},
        "tags": {"manual": [], "auto": []},
    }


def test_base_items_read_as_their_classes() -> None:
    customer = Customer.from_dict(
        None,
        {
            "id": "c",
            "base": {
                "likes": [{"id": "l1", "name": "n"}],
                "subscriptions": [{"id": "s1", "kind": "SERVICE"}],
                "educations": [],
            },
        },
    )
    assert isinstance(customer.base.likes[0], Like)
    assert isinstance(customer.base.subscriptions[0], Subscription)
    assert customer.base.subscriptions[0].customer is customer
    assert customer.base.educations == []


def test_writes_without_an_id_are_refused_with_a_clear_error() -> None:
    customer = Customer(node=None)
    for action in (customer.put, customer.patch, customer.delete, customer.get_events):
        with pytest.raises(OperationNotPermitted, match="without an id"):
            action()


def test_from_dict_rejects_a_non_dictionary() -> None:
    with pytest.raises(TypeError, match="expects a dictionary, got str"):
        Customer.from_dict(None, "c-1")  # type: ignore[arg-type]


def test_class_attributes_are_query_fields() -> None:
    field = Customer.base.contacts.email
    assert isinstance(field, EntityField)
    assert field.field == "base.contacts.email"
    assert isinstance(Customer.registeredAt == "x", Criterion)
    # Private and dunder names stay ordinary lookups.
    with pytest.raises(AttributeError):
        _ = Customer._private
    assert copy.copy(Customer) is Customer


def test_enumerations_have_the_api_values() -> None:
    assert Customer.MOBILE_DEVICE_TYPES.IOS == "IOS"
    assert Customer.MOBILE_DEVICE_TYPES.FIREOS == "FIREOS"
    assert Customer.MOBILE_DEVICE_TYPES.APN == "APN"
    assert Customer.NOTIFICATION_SERVICES.WNS == "WNS"
    assert Customer.OTHER_CONTACT_TYPES.MOBILE == "MOBILE"
    assert Customer.TIMEZONES.EUROPE_ROME == "Europe/Rome"
    assert Customer.TIMEZONES.AMERICA_PORT_AU_PRINCE == "America/Port-au-Prince"
    assert Customer.TIMEZONES.PACIFIC_WALLIS == "Pacific/Wallis"
    assert Customer.SUBSCRIPTION_KINDS.DIGITAL_MESSAGE == "DIGITAL_MESSAGE"
    assert Customer.SUBSCRPTION_KINDS is Customer.SUBSCRIPTION_KINDS
    timezones = [v for k, v in vars(Customer.TIMEZONES).items() if k.isupper()]
    assert len(timezones) == 342
    assert all("/" in zone for zone in timezones)
    assert Education.SCHOOL_TYPES.HIGH_SCHOOL == "HIGH_SCHOOL"
    assert Subscription.KINDS.OTHER == "OTHER"


def test_a_copied_customer_keeps_its_node_and_pending_changes_but_not_its_documents() -> None:
    customer = stored()
    customer.base.firstName = "Thomas"
    clone = copy.deepcopy(customer)
    assert clone.node is customer.node
    assert clone.get_mutation_tracker() == customer.get_mutation_tracker()
    clone.base.firstName = "Martha"
    clone.tags.manual += ["x"]
    assert customer.base.firstName == "Thomas"
    assert customer.tags.manual == ["vip"]


def test_properties_and_read_only_lists_copy_and_pickle() -> None:
    import pickle

    from contacthub.lib.read_only_list import ReadOnlyList

    props = Properties.from_dict(attributes={"a": {"b": [1, {"c": 2}]}})
    for clone in (copy.copy(props), copy.deepcopy(props), pickle.loads(pickle.dumps(props))):
        assert clone == props
        clone.a.b[1].c = 3
        assert props.a.b[1].c == 2
    items = ReadOnlyList([1, [2]])
    assert copy.deepcopy(items) == [1, [2]]
    assert isinstance(pickle.loads(pickle.dumps(items)), ReadOnlyList)
