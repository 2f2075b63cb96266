"""The API's settings besides REST_FRAMEWORK: JWT lifetimes (simplejwt) and the OpenAPI
schema (drf-spectacular), read by settings.py."""

from datetime import timedelta

import environ

env = environ.Env()

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": False,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,  # our login view sends user_logged_in, which does it
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AuroMart API",
    "DESCRIPTION": (
        "Supply chain API: catalog, orders, stock, procurement, invoices, reports. "
        "Authenticate with `POST /api/auth/login` and send `Authorization: Bearer <access>`. "
        "Every 4xx body has the shape `{detail, code, errors}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # 110 paths: the sections start folded (the reader opens one, or filters by tag); all
    # of them expanded at once stopped rendering after the first section in Chromium.
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "filter": True},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "auromart.api.schema.document_unsupported_media_type",
        "auromart.api.schema.declare_public_operations",
        "auromart.api.schema.readable_component_names",
    ],
    # Several models have a `status`: name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "ProcurementRequestStatusEnum": "procurement.models.RequestStatus",
        "PurchaseOrderStatusEnum": "procurement.models.POStatus",
        "OrderStatusEnum": "orders.models.OrderStatus",
        "InvoiceStatusEnum": "invoicing.models.InvoiceStatus",
        "FulfillmentTypeEnum": "orders.models.FulfillmentType",
        "PointsEntryKindEnum": "loyalty.models.EntryKind",
        # The organization kind keeps the name it had before another "kind" existed.
        "KindEnum": "accounts.models.Organization.Kind",
        "StandingOrderStatusEnum": "standing_orders.models.StandingOrderStatus",
        "ReturnStatusEnum": "returns.models.ReturnStatus",
        "ReturnReasonEnum": "returns.models.ReturnReason",
        "CreditNoteKindEnum": "invoicing.models.CreditNoteKind",
        "RefundMethodEnum": "invoicing.models.RefundMethod",
        "RefundStatusEnum": "invoicing.models.RefundStatus",
    },
}
