"""/manufacturer/products/...: a product's pictures and specifications, and a zip of
pictures for many products at once. The manufacturer's own products only (others 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from . import services_media
from .manufacturer_forms import ImagesZipForm, ProductImageForm, SpecificationsForm
from .manufacturer_views import ManufacturerPage, apply_service_errors
from .models import Product, ProductImage


class ProductMediaView(ManufacturerPage):
    """The gallery (add, remove) and the specifications of one product."""

    template_name = "manufacturer/product_media.html"

    def get(self, request, pk: int):
        product = self.own_product(pk)
        return self.render(
            product,
            ProductImageForm(),
            SpecificationsForm(
                initial={"specifications": services_media.specifications_text(product)}
            ),
        )

    def post(self, request, pk: int):
        product = self.own_product(pk)
        image_form, specs_form = ProductImageForm(), SpecificationsForm()
        action = request.POST.get("action")
        try:
            if action == "add_image":
                image_form = ProductImageForm(request.POST, request.FILES)
                if not image_form.is_valid():
                    return self.render(product, image_form, specs_form)
                services_media.product_image_add(
                    product=product,
                    upload=image_form.cleaned_data["image"],
                    alt_text=image_form.cleaned_data["alt_text"],
                )
                messages.success(request, "The picture was added.")
            elif action == "remove_image":
                image = get_object_or_404(
                    ProductImage, pk=request.POST.get("image", "0")[:18] or 0, product=product
                )
                services_media.product_image_remove(image=image)
                messages.success(request, "The picture was removed.")
            elif action == "specifications":
                specs_form = SpecificationsForm(request.POST)
                if not specs_form.is_valid():
                    return self.render(product, image_form, specs_form)
                pairs = services_media.parse_specifications(
                    specs_form.cleaned_data["specifications"]
                )
                services_media.product_attributes_set(product=product, pairs=pairs)
                messages.success(request, "The specifications were saved.")
        except ValidationError as exc:
            form = specs_form if action == "specifications" else image_form
            apply_service_errors(form, exc)
            return self.render(product, image_form, specs_form)
        return redirect("manufacturer:product_media", pk=product.pk)

    def render(self, product, image_form, specs_form):
        return render(
            self.request,
            self.template_name,
            {
                "product": product,
                "images": list(product.images.all()),
                "image_form": image_form,
                "specs_form": specs_form,
            },
        )


class ImagesZipView(ManufacturerPage):
    """Pictures for many products at once: a zip whose file names carry the SKUs."""

    template_name = "manufacturer/product_images_zip.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ImagesZipForm()})

    def post(self, request):
        form = ImagesZipForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            try:
                report = services_media.product_images_import_zip(
                    archive=form.cleaned_data["images"],
                    products=Product.objects.filter(manufacturer=self.manufacturer),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
        return render(request, self.template_name, {"form": form, "report": report})
