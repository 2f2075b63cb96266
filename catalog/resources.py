"""Spreadsheet resources for the catalog: products, price updates, reorder settings, categories.

Products are identified by SKU, categories by slug (or name), organizations by
name; database ids never appear in a file. See docs/import-export.md.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils import timezone
from import_export.fields import Field

from accounts.agreements import agreements_read_once
from accounts.models import Organization
from accounts.resources import OrganizationWidget
from auromart.spreadsheets import (
    LookupWidget,
    MoneyWidget,
    SpreadsheetResource,
    TextWidget,
    WholeNumberWidget,
    YesNoWidget,
    cell_text,
)

from .hsn import validate_hsn_code
from .models import Category, Product
from .services import category_create, first_free_slug, slug_base

SKU_LENGTH = Product._meta.get_field("sku").max_length
# Enough to keep a MariaDB or SQLite IN (...) list well within its limits.
CHUNK = 1000


class CategoryWidget(LookupWidget):
    """A category by its slug, or by its name when only one category has it."""

    label = "category"

    def load(self):
        return Category.objects.all()

    def keys_of(self, category):
        return [category.slug, category.name]

    def key_for(self, category):
        return category.slug

    def matches(self, text):
        self.ensure_loaded()
        by_slug = [c for c in self._by_key.get(text.casefold(), []) if c.slug == text.lower()]
        return by_slug or self._by_key.get(text.casefold(), [])


class ProductWidget(LookupWidget):
    """A product by SKU (any case). Loads only the SKUs a file uses (`prime`)."""

    label = "product with SKU"

    def load(self):
        return []

    def prime(self, skus) -> None:
        wanted = sorted({cell_text(s).upper() for s in skus if cell_text(s)})
        self.ensure_loaded()
        wanted = [s for s in wanted if s.casefold() not in self._by_key]
        for start in range(0, len(wanted), CHUNK):
            self.add(Product.objects.filter(sku__in=wanted[start : start + CHUNK]))

    def keys_of(self, product):
        return [product.sku]

    def key_for(self, product):
        return product.sku

    def matches(self, text):
        self.ensure_loaded()
        if text.casefold() not in self._by_key:
            self.add(Product.objects.filter(sku=text.upper()))
        return self._by_key.get(text.casefold(), [])


class SlugAllocator:
    """New products' slugs: the name slugified, then -2, -3, ... until unused.

    The same scheme as catalog.services.product_create, with the taken slugs
    read once per import instead of once per product.
    """

    def __init__(self):
        self.taken: set[str] | None = None
        self.next_suffix: dict[str, int] = {}

    def load(self) -> set[str]:
        if self.taken is None:
            self.taken = set(Product.objects.values_list("slug", flat=True))
        return self.taken

    def allocate(self, name: str) -> str:
        taken = self.load()
        base = slug_base(Product, name, fallback="product")
        slug, n = first_free_slug(base, taken, start=self.next_suffix.get(base, 1))
        self.next_suffix[base] = n
        taken.add(slug)
        return slug

    def claim(self, slug: str, *, current: str | None) -> bool:
        """Take an explicit slug; False when another product has it."""
        taken = self.load()
        if slug == current:
            return True
        if slug in taken:
            return False
        taken.add(slug)
        return True


def count_field(name: str, *, min_value: int = 0, keep_when_blank: bool = True) -> Field:
    """A whole-number column. Blank keeps the current value (or the default for a new
    product), except where blank means "none" (`keep_when_blank=False`)."""
    return Field(
        attribute=name,
        column_name=name,
        widget=WholeNumberWidget(min_value=min_value),
        saves_null_values=not keep_when_blank,
    )


class BaseProductResource(SpreadsheetResource):
    """Shared by the product resources: SKU as the key, bulk writes, one lookup per file."""

    sku = Field(
        attribute="sku",
        column_name="sku",
        widget=TextWidget(max_length=SKU_LENGTH, required=True, upper=True),
    )
    key_columns = ("sku",)

    class Meta:
        model = Product
        import_id_fields = ["sku"]
        # Bulk mode, as the django-import-export docs advise for large files:
        # rows are validated one by one here (no Model.save() business rule
        # exists for products: product_create's rules are applied in
        # validate()), then written 1,000 at a time with bulk_create /
        # bulk_update. skip_diff is the default (see SpreadsheetResource).
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False

    def normalize_key(self, column, value):
        return cell_text(value).upper()

    def load_existing(self, dataset):
        skus = sorted(
            {cell_text(v).upper() for v in dataset["sku"] if cell_text(v)}
            if "sku" in dataset.headers
            else set()
        )
        existing = {}
        for start in range(0, len(skus), CHUNK):
            for product in Product.objects.filter(sku__in=skus[start : start + CHUNK]):
                existing[(product.sku.upper(),)] = product
        self.attach_related(list(existing.values()))
        return existing

    def attach_related(self, products) -> None:
        """Give loaded products their category and organizations without a query each.

        Product.clean() reads manufacturer.kind and supplier.kind; the
        widgets' caches (or one query) provide them.
        """
        relations = {"category": Category, "manufacturer": Organization, "supplier": Organization}
        for attribute, model in relations.items():
            ids = {getattr(p, f"{attribute}_id") for p in products}
            if not ids:
                continue
            field = self.fields.get(attribute)
            if field is not None and isinstance(field.widget, LookupWidget):
                field.widget.ensure_loaded()
                by_id = field.widget.by_id
                missing = ids - by_id.keys()
                if missing:
                    by_id.update(model.objects.in_bulk(list(missing)))
            else:
                by_id = model.objects.in_bulk(list(ids))
            for product in products:
                setattr(product, attribute, by_id[getattr(product, f"{attribute}_id")])

    def import_data(self, *args, **kwargs):
        # Each row's supplier rule reads the accepted agreements once per file.
        with agreements_read_once():
            return super().import_data(*args, **kwargs)

    def get_bulk_update_fields(self):
        # bulk_update() does not run auto_now: set updated_at by hand.
        return [*super().get_bulk_update_fields(), "updated_at"]

    def before_save_instance(self, instance, row, **kwargs):
        if not instance._state.adding:
            instance.updated_at = timezone.now()

    def validate(self, instance, errors):
        # The model's own rules (manufacturer kind, supplier not a retailer,
        # maximum above reorder level); field-level checks were done by the
        # widgets, and SKU uniqueness by the loader and the duplicate check.
        relation_errors = {"category", "manufacturer", "supplier"} & errors.keys()
        if not relation_errors:
            try:
                instance.clean()
            except ValidationError as exc:
                self.merge(errors, exc)

    def get_queryset(self):
        return Product.objects.select_related("category", "manufacturer", "supplier").order_by(
            "sku"
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("category", "manufacturer", "supplier")


class ProductResource(BaseProductResource):
    """Products (by SKU): create and update."""

    resource_name = "products"
    required_columns = ("sku", "name", "category", "price", "manufacturer")

    name = Field(
        attribute="name",
        column_name="name",
        widget=TextWidget(max_length=Product._meta.get_field("name").max_length, required=True),
    )
    slug = Field(
        attribute="slug",
        column_name="slug",
        widget=TextWidget(
            max_length=Product._meta.get_field("slug").max_length, blank_as_none=True
        ),
        saves_null_values=False,
    )
    description = Field(attribute="description", column_name="description", widget=TextWidget())
    category = Field(attribute="category", column_name="category", widget=CategoryWidget())
    price = Field(attribute="price", column_name="price", widget=MoneyWidget(required=True))
    manufacturer = Field(
        attribute="manufacturer",
        column_name="manufacturer",
        widget=OrganizationWidget(kinds=[Organization.Kind.MANUFACTURER]),
    )
    supplier = Field(
        attribute="supplier",
        column_name="supplier",
        widget=OrganizationWidget(
            kinds=[Organization.Kind.MANUFACTURER, Organization.Kind.DISTRIBUTOR], required=False
        ),
        saves_null_values=False,
    )
    reorder_level = count_field("reorder_level")
    reorder_quantity = count_field("reorder_quantity")
    order_up_to_level = count_field("order_up_to_level", keep_when_blank=False)
    pack_size = count_field("pack_size", min_value=1)
    minimum_order_quantity = count_field("minimum_order_quantity", min_value=1)
    lead_time_days = count_field("lead_time_days")
    hsn_code = Field(
        attribute="hsn_code",
        column_name="hsn_code",
        widget=TextWidget(max_length=Product._meta.get_field("hsn_code").max_length),
        saves_null_values=False,
    )
    is_active = Field(
        attribute="is_active",
        column_name="is_active",
        widget=YesNoWidget(),
        saves_null_values=False,
    )

    class Meta(BaseProductResource.Meta):
        fields = [
            "sku",
            "name",
            "slug",
            "description",
            "category",
            "price",
            "manufacturer",
            "supplier",
            "reorder_level",
            "reorder_quantity",
            "order_up_to_level",
            "pack_size",
            "minimum_order_quantity",
            "lead_time_days",
            "hsn_code",
            "is_active",
        ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.slugs = SlugAllocator()

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # product_create's default: no supplier means the manufacturer.
            if instance.supplier_id is None and instance.manufacturer_id is not None:
                instance.supplier = instance.manufacturer

    def validate(self, instance, errors):
        super().validate(instance, errors)
        if "hsn_code" not in errors:
            try:
                validate_hsn_code(instance.hsn_code)
            except ValidationError as exc:
                errors["hsn_code"] = exc.messages
        if errors:
            return
        if not instance.slug:
            instance.slug = self.slugs.allocate(instance.name)
            return
        current = None if instance._state.adding else self._original_slug
        try:
            validate_slug(instance.slug)
        except ValidationError as exc:
            self.merge(errors, ValidationError({"slug": exc.messages}))
            return
        if not self.slugs.claim(instance.slug, current=current):
            errors["slug"] = f"Another product already has the slug “{instance.slug}”."

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        self._original_slug = None if new else instance.slug


class ProductPriceResource(BaseProductResource):
    """Price updates (by SKU): changes prices of existing products only."""

    resource_name = "product-prices"
    required_columns = ("sku", "price")
    update_only = True

    price = Field(attribute="price", column_name="price", widget=MoneyWidget(required=True))

    class Meta(BaseProductResource.Meta):
        fields = ["sku", "price"]

    def validate(self, instance, errors):
        pass  # the price is all that changes, and the widget checked it


class ProductReorderResource(BaseProductResource):
    """Reorder settings (by SKU): reorder level and quantity, maximum, pack, lead time."""

    resource_name = "product-reorder"
    required_columns = ("sku",)
    update_only = True

    reorder_level = count_field("reorder_level")
    reorder_quantity = count_field("reorder_quantity")
    order_up_to_level = count_field("order_up_to_level", keep_when_blank=False)
    pack_size = count_field("pack_size", min_value=1)
    minimum_order_quantity = count_field("minimum_order_quantity", min_value=1)
    lead_time_days = count_field("lead_time_days")

    class Meta(BaseProductResource.Meta):
        fields = [
            "sku",
            "reorder_level",
            "reorder_quantity",
            "order_up_to_level",
            "pack_size",
            "minimum_order_quantity",
            "lead_time_days",
        ]


class CategoryResource(SpreadsheetResource):
    """Categories (by slug): create and update; a parent's row comes before its children's."""

    resource_name = "categories"
    required_columns = ("slug", "name")
    key_columns = ("slug",)

    slug = Field(
        attribute="slug",
        column_name="slug",
        widget=TextWidget(
            max_length=Category._meta.get_field("slug").max_length, blank_as_none=True
        ),
        saves_null_values=False,
    )
    name = Field(
        attribute="name",
        column_name="name",
        widget=TextWidget(max_length=Category._meta.get_field("name").max_length, required=True),
    )
    parent = Field(
        attribute="parent",
        column_name="parent",
        widget=CategoryWidget(required=False),
    )

    class Meta:
        model = Category
        import_id_fields = ["slug"]
        fields = ["slug", "name", "parent"]
        skip_unchanged = True
        report_skipped = True

    def normalize_key(self, column, value):
        return cell_text(value).lower()

    def load_existing(self, dataset):
        slugs = sorted({cell_text(v).lower() for v in dataset["slug"] if cell_text(v)})
        existing = {}
        for start in range(0, len(slugs), CHUNK):
            for category in Category.objects.filter(slug__in=slugs[start : start + CHUNK]):
                existing[(category.slug,)] = category
        return existing

    def validate(self, instance, errors):
        if errors:
            return
        if instance.slug:
            try:
                validate_slug(instance.slug)
            except ValidationError as exc:
                errors["slug"] = exc.messages
                return
        if not instance._state.adding:
            try:
                instance.full_clean()
            except ValidationError as exc:
                self.merge(errors, exc)

    def do_instance_save(self, instance, is_create):
        if not is_create:
            instance.save()
            return
        # A new category goes through the catalog service (name rules, slug
        # from the parent's); a slug given in the file then replaces the made one.
        wanted_slug = instance.slug
        try:
            category = category_create(name=instance.name, parent=instance.parent)
            if wanted_slug and category.slug != wanted_slug:
                category.slug = wanted_slug
                category.full_clean()
                category.save(update_fields=["slug"])
        except ValidationError as exc:
            errors = {}
            self.merge(errors, exc)
            raise ValidationError(errors) from exc
        instance.pk = category.pk
        instance.slug = category.slug
        instance._state.adding = False
        # Later rows may name it as their parent.
        self.fields["parent"].widget.add([category])

    def get_queryset(self):
        return Category.objects.select_related("parent").order_by("slug")

    def filter_export(self, queryset, **kwargs):
        # Parents first, so that the exported file imports as it is.
        categories = list(queryset.select_related("parent"))
        by_pk = {c.pk: c for c in categories}

        def depth(category):
            n, node, seen = 0, category, set()
            while node.parent_id is not None and node.parent_id not in seen:
                seen.add(node.parent_id)
                node = by_pk.get(node.parent_id) or node.parent
                n += 1
            return n

        return sorted(categories, key=lambda c: (depth(c), c.slug))
