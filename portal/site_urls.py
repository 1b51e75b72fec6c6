"""Every HTML page of the portal, in one namespace "portal" (sign-in pages: accounts.urls).

The views live in the app that owns the data they show; portal only composes them here."""

from django.urls import path

from matters import views as guide
from supervision import audit as catalog_audit
from supervision import views as supervision
from windows import views as windows
from workflow import verification
from workflow import views as cases

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("progress/", views.progress, name="progress"),
    path("verify/", verification.verify, name="verify"),
    # 办事指南 and 一件事
    path("guide/", guide.guide, name="guide"),
    path("guide/matters/<str:code>/", guide.matter_detail, name="matter"),
    path("guide/matters/<str:code>/v<int:number>/", guide.matter_version_detail, name="matter_version"),
    path("guide/matters/<str:code>/guide.pdf", guide.matter_guide_pdf, name="matter_pdf"),
    path("guide/matters/<str:code>/v<int:number>/guide.pdf", guide.matter_guide_pdf, name="matter_version_pdf"),
    path("guide/matters/<str:code>/materials/<int:material_id>/<str:kind>/", guide.material_file,
         name="matter_material_file"),
    path("manual/matters/<str:code>/", guide.matter_manual, name="matter_manual"),  # 业务手册 (工作人员)
    path("themes/", guide.theme_list, name="themes"),
    path("themes/<slug:code>/", guide.theme_detail, name="theme"),
    # the catalog as XLSX (系统管理员)
    path("catalog/", guide.catalog_transfer, name="catalog_transfer"),
    path("catalog/export/", guide.catalog_export, name="catalog_export"),
    path("catalog/import/", guide.catalog_import, name="catalog_import"),
    path("catalog/themes/<slug:code>/situations/", guide.situation_preview, name="situation_preview"),
    # apply online (群众、企业经办人)
    path("apply/theme/<slug:code>/", cases.apply_theme, name="apply_theme"),
    path("apply/matter/<str:code>/", cases.apply_matter, name="apply_matter"),
    # applications
    path("applications/", cases.my_applications, name="my_applications"),
    path("applications/<str:number>/", cases.application_detail, name="application"),
    path("applications/<str:number>/withdraw/", cases.application_withdraw, name="application_withdraw"),
    path("applications/<str:number>/resubmit/", cases.application_resubmit, name="application_resubmit"),
    path("applications/<str:number>/accept/", cases.application_accept, name="application_accept"),
    path("applications/<str:number>/supplement/", cases.application_request_supplement, name="application_supplement"),
    path("applications/<str:number>/refuse/", cases.application_refuse, name="application_refuse"),
    path("applications/<str:number>/materials/<int:material_id>/provide/", cases.application_provide_deferred,
         name="application_provide_deferred"),
    path("applications/<str:number>/allow-repeat/", cases.application_allow_repeat, name="application_allow_repeat"),
    path("applications/<str:number>/supplement-at-window/", cases.application_supplement_at_window,
         name="application_supplement_window"),
    path("applications/<str:number>/deliver/", cases.application_deliver, name="application_deliver"),
    # the window (综合窗口)
    path("hall/", windows.hall, name="hall"),
    path("hall/walk-in/", windows.walk_in, name="walk_in"),
    path("hall/delivery/", windows.delivery, name="delivery"),
    # the department's back office (部门审批)
    path("review/", cases.review_list, name="review"),
    path("review/<str:number>/", cases.subcase_detail, name="subcase"),
    path("review/<str:number>/start/", cases.subcase_start, name="subcase_start"),
    path("review/<str:number>/decide/", cases.subcase_decide, name="subcase_decide"),
    path("review/<str:number>/clock/", cases.subcase_clock, name="subcase_clock"),
    # supervision (效能监督)
    path("supervision/", supervision.dashboard, name="supervision"),
    path("supervision/figures/cases/", supervision.figure_cases, name="figure_cases"),
    path("supervision/audit/", catalog_audit.audit_page, name="catalog_audit"),
    path("supervision/audit/export/", catalog_audit.audit_export, name="catalog_audit_export"),
    path("supervision/cards/", supervision.card_list, name="cards"),
    path("supervision/cards/<int:pk>/", supervision.card_detail, name="card"),
    path("supervision/cards/<int:pk>/contest/", supervision.card_contest, name="card_contest"),
    path("supervision/cards/<int:pk>/decide/", supervision.card_decide, name="card_decide"),
    path("supervision/policies/", supervision.card_policies, name="card_policies"),
    path("supervision/policies/<int:pk>/", supervision.card_policy, name="card_policy"),
]
