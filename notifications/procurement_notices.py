"""What suppliers and procurement staff are told: a new procurement request, a purchase
order sent (and its reminder), the supplier's answer.

Receivers of procurement's signals call these inside the sender's transaction.
Supplier notices after a PO was sent (cancelled, closed short, a proposal
decided) are notifications.supplier_notices.
"""

from django.conf import settings
from django.urls import reverse

from accounts.models import User

from .services import DEDUP_KEY_MAX_LENGTH, message_queue, supplier_reply_to, user_notify


def _procurement_staff() -> list[User]:
    from accounts.models import PROCUREMENT_GROUP

    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=PROCUREMENT_GROUP)
        .select_related("notification_preference")
        .order_by("pk")
        .distinct()
    )


def _organization_addresses(organization) -> list[str]:
    """Where a business document to an organization goes: its contact address, else its admins."""
    if organization.contact_email:
        return [organization.contact_email]
    return list(
        User.objects.filter(organization=organization, is_active=True, is_org_admin=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _staff_and_team(*, event, template, context, dedup_key, link) -> None:
    """An internal message to the procurement group (per their preferences) and the team list.

    A team address that is also a group member's gets one message, not two.
    """
    staff = _procurement_staff()
    for user in staff:
        user_notify(
            user=user,
            event=event,
            template=template,
            context=context,
            dedup_key=f"{dedup_key}:{user.pk}",
            link=link,
        )
    members = {user.email.lower() for user in staff}
    for address in settings.PROCUREMENT_TEAM_EMAILS:
        if address.lower() not in members:
            message_queue(
                template=template,
                recipient=address,
                context=context,
                dedup_key=f"{dedup_key}:{address}"[:DEDUP_KEY_MAX_LENGTH],
            )


def procurement_request_messages_queue(*, request_id: int) -> None:
    """A new procurement request: the supplier's e-mail and the internal low-stock alert.

    The supplier gets the product, the quantity needed, the current stock and
    the request's number; the procurement team list and group get the stock
    levels and what the system did (in-app too). Runs inside the transaction
    that opened the request: nothing is sent if it rolls back.
    """
    from procurement.selectors import request_for_message

    request = request_for_message(request_id=request_id)
    product, supplier, distributor = request.product, request.supplier, request.distributor
    actions = [
        f"Opened procurement request {request.number} for {request.quantity} units "
        f"({request.rule})."
    ]
    addresses = _organization_addresses(supplier)
    supplier_context = {
        "procurement_request": request,
        "product": product,
        "supplier": supplier,
        "distributor": distributor,
        "quantity": request.quantity,
        "on_hand": request.on_hand,
        "available": request.available,
        "reorder_level": request.reorder_level,
    }
    for address in addresses:
        message_queue(
            template="procurement_request",
            recipient=address,
            context=supplier_context,
            dedup_key=f"procurement_request:{request.pk}:supplier:{address}"[:DEDUP_KEY_MAX_LENGTH],
            reply_to=supplier_reply_to(),
        )
    if addresses:
        actions.append(f"E-mailed the request to {supplier.name} ({', '.join(addresses)}).")
    else:
        actions.append(f"{supplier.name} has no e-mail address on file: contact them directly.")
    actions.append("Approve it to send the supplier a purchase order.")
    review_url = reverse("admin:procurement_procurementrequest_change", args=[request.pk])
    _staff_and_team(
        event="procurement_requested",
        template="low_stock_alert",
        context={
            "product": product,
            "distributor": distributor,
            "on_hand": request.on_hand,
            "allocated": request.allocated,
            "held": request.held,
            "incoming": request.incoming,
            "available": request.available,
            "reorder_level": request.reorder_level,
            "reorder_quantity": request.reorder_quantity,
            "actions": actions,
            "review_url": review_url,
        },
        dedup_key=f"procurement_requested:{request.pk}",
        link=review_url,
    )


def purchase_order_messages_queue(*, purchase_order_id: int, reminder: bool = False) -> None:
    """The purchase order to its supplier: PDF attached, signed link to confirm or propose.

    The PDF is rendered when the e-mail is delivered (after commit, in the
    worker), not here. The supplier organization's members get an in-app
    notice linking to the PO's page, where they can answer too. A reminder
    is the same e-mail saying so, sent once (its own dedup key).
    """
    from procurement import services as procurement_services
    from procurement.selectors import purchase_order_for_message

    po = purchase_order_for_message(purchase_order_id=purchase_order_id)
    lines = list(po.lines.all())
    token = procurement_services.purchase_order_token(po)
    context = {
        "po": po,
        "lines": lines,
        "supplier": po.supplier,
        "procurement_request": lines[0].request if len(lines) == 1 else None,
        "reminder": reminder,
    }
    attachment = {
        "path": procurement_services.purchase_order_pdf_path(po),
        "filename": f"{po.number}.pdf",
        "mimetype": "application/pdf",
        "renderer": "procurement.purchase_order_pdf",
        "object_id": po.pk,
    }
    kind = "purchase_order_reminder" if reminder else "purchase_order"
    for address in _organization_addresses(po.supplier):
        message_queue(
            template="purchase_order",
            recipient=address,
            context={
                **context,
                "confirm_url": settings.SITE_URL + reverse("procurement:answer", args=[token]),
                "confirm_expires": procurement_services.purchase_order_token_expiry(),
                "has_pdf": True,
            },
            dedup_key=f"{kind}:{po.pk}:{address}"[:DEDUP_KEY_MAX_LENGTH],
            attachments=[attachment],
            reply_to=supplier_reply_to(),
        )
    members = (
        User.objects.filter(organization=po.supplier, is_active=True)
        .select_related("notification_preference")
        .order_by("pk")
    )
    link = reverse("procurement:supplier_po", args=[po.number])
    for member in members:
        user_notify(
            user=member,
            event="purchase_order_received",
            template="purchase_order",
            context=context,
            dedup_key=f"{kind}:{po.pk}:user:{member.pk}",
            link=link,
        )


def purchase_order_answered_queue(*, purchase_order_id: int, answer: str) -> None:
    """Tell procurement that a supplier confirmed a PO or proposed changes."""
    from procurement.selectors import purchase_order_for_message

    po = purchase_order_for_message(purchase_order_id=purchase_order_id)
    _staff_and_team(
        event="purchase_order_answered",
        template="purchase_order_answered",
        context={
            "po": po,
            "lines": list(po.lines.all()),
            "answer": answer,
            "review_url": reverse("admin:procurement_purchaseorder_change", args=[po.pk]),
        },
        dedup_key=f"purchase_order_answered:{po.pk}:{answer}",
        link=reverse("admin:procurement_purchaseorder_change", args=[po.pk]),
    )
