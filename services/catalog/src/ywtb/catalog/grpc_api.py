"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from ywtb.api.catalog.v1 import catalog_pb2 as pb
from ywtb.api.catalog.v1 import catalog_pb2_grpc
from ywtb.catalog import convert
from ywtb.catalog.basic import Release
from ywtb.catalog.service import CatalogService
from ywtb.common.auth.principal import Principal
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow, public
from ywtb.common.tenancy import DEPT_ADMIN, PLATFORM_ADMIN, STAFF_ROLES, TENANT_ADMIN, lineage


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    """CatalogService over gRPC."""

    def __init__(self, service: CatalogService) -> None:
        self.service = service

    @allow(PLATFORM_ADMIN, TENANT_ADMIN)
    def ImportBasicCatalogue(self, request, context):  # noqa: N802
        release = Release(
            version=request.version.strip(),
            description=request.description,
            entries=tuple(convert.basic_change(e) for e in request.entries),
        )
        outcome = self.service.apply_release(_caller(), release)
        return pb.ImportBasicCatalogueResponse(
            applied=outcome.applied, entries=outcome.entries, withdrawn_item_ids=outcome.withdrawn_item_ids
        )

    @public
    def GetBasicItem(self, request, context):  # noqa: N802
        return pb.GetBasicItemResponse(
            item=convert.basic_item(self.service.get_basic_item(request.basic_code))
        )

    @public
    def ListBasicItems(self, request, context):  # noqa: N802
        items = self.service.list_basic_items(request.claimable_only)
        return pb.ListBasicItemsResponse(items=[convert.basic_item(i) for i in items])

    @allow(PLATFORM_ADMIN, DEPT_ADMIN)
    def ClaimItem(self, request, context):  # noqa: N802
        item = self.service.claim(
            _caller(), request.tenant, request.dept, request.dept_name, request.basic_code
        )
        return pb.ClaimItemResponse(item=convert.item(item))

    @allow(PLATFORM_ADMIN, DEPT_ADMIN)
    def UpdateGuide(self, request, context):  # noqa: N802
        item = self.service.update_guide(
            _caller(),
            request.item_id,
            convert.guide_document(request.guide),
            request.keywords,
            request.expected_revision,
        )
        return pb.UpdateGuideResponse(item=convert.item(item))

    @allow(PLATFORM_ADMIN, DEPT_ADMIN)
    def SubmitItem(self, request, context):  # noqa: N802
        item, warnings = self.service.submit(_caller(), request.item_id)
        return pb.SubmitItemResponse(item=convert.item(item), warnings=list(warnings.values()))

    @allow(PLATFORM_ADMIN, TENANT_ADMIN)
    def ReturnItem(self, request, context):  # noqa: N802
        item = self.service.return_item(_caller(), request.item_id, request.reason)
        return pb.ReturnItemResponse(item=convert.item(item))

    @allow(PLATFORM_ADMIN, TENANT_ADMIN)
    def ApproveItem(self, request, context):  # noqa: N802
        return pb.ApproveItemResponse(item=convert.item(self.service.approve(_caller(), request.item_id)))

    @allow(PLATFORM_ADMIN, TENANT_ADMIN)
    def PublishItem(self, request, context):  # noqa: N802
        item, version = self.service.publish(_caller(), request.item_id)
        return pb.PublishItemResponse(
            item=convert.item(item),
            version=convert.guide_version(self.service.reads.guide(item.id, version.version)),
        )

    @allow(PLATFORM_ADMIN, TENANT_ADMIN)
    def WithdrawItem(self, request, context):  # noqa: N802
        item = self.service.withdraw(_caller(), request.item_id, request.reason)
        return pb.WithdrawItemResponse(item=convert.item(item))

    @allow(*STAFF_ROLES, PLATFORM_ADMIN)
    def GetItem(self, request, context):  # noqa: N802
        return pb.GetItemResponse(item=convert.item(self.service.get_item(_caller(), request.item_id)))

    @allow(*STAFF_ROLES, PLATFORM_ADMIN)
    def ListItems(self, request, context):  # noqa: N802
        status = convert.ITEM_STATUS_NAMES.get(request.status, "")
        items = self.service.list_items(_caller(), request.tenant, request.dept, status)
        return pb.ListItemsResponse(items=[convert.item(i) for i in items])

    @public
    def GetGuide(self, request, context):  # noqa: N802
        payload = self.service.reads.guide(request.item_id, request.version)
        return pb.GetGuideResponse(guide=convert.guide_version(payload))

    @public
    def ListItemVersions(self, request, context):  # noqa: N802
        versions = self.service.reads.versions(request.item_id)
        return pb.ListItemVersionsResponse(versions=[convert.guide_version(v) for v in versions])

    @public
    def SearchItems(self, request, context):  # noqa: N802
        result = self.service.reads.search(
            request.query,
            tenants=lineage(request.tenant) if request.tenant else None,
            service_object=convert.SERVICE_OBJECTS.get(request.service_object),
            theme=request.theme,
            dept=request.dept,
            min_online_depth=request.min_online_depth,
            limit=request.page_size,
            offset=request.offset,
        )
        return pb.SearchItemsResponse(
            total=result.total,
            hits=[
                pb.SearchHit(
                    item_id=h.doc.item_id,
                    version=h.doc.version,
                    name=h.doc.name,
                    tenant=h.doc.tenant,
                    dept=h.doc.dept,
                    dept_name=h.doc.dept_name,
                    basic_code=h.doc.basic_code,
                    online_depth=h.doc.online_depth,
                    score=h.score,
                )
                for h in result.hits
            ],
        )

    @allow(PLATFORM_ADMIN, TENANT_ADMIN)
    def CreateBundle(self, request, context):  # noqa: N802
        bundle = self.service.create_bundle(
            _caller(),
            request.code,
            request.tenant,
            request.name,
            request.description,
            request.item_ids,
            request.process,
        )
        return pb.CreateBundleResponse(bundle=convert.bundle(*self.service.get_bundle(bundle.code)))

    @public
    def GetBundle(self, request, context):  # noqa: N802
        return pb.GetBundleResponse(bundle=convert.bundle(*self.service.get_bundle(request.code)))

    @public
    def ListBundles(self, request, context):  # noqa: N802
        bundles = self.service.list_bundles(request.tenant)
        return pb.ListBundlesResponse(bundles=[convert.bundle(b) for b in bundles])
