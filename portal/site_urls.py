"""Every HTML page of the portal, in one namespace "portal" (sign-in pages: accounts.urls).

The views live in the app that owns the data they show; portal only composes them here."""

from django.urls import path

from accounts import views as people
from exchange import views as licences
from matters import audit_views as catalog_audit
from matters import views as guide
from notifications import views as messaging
from supervision.cards import views as cards
from supervision.compliance import views as compliance
from supervision.evaluation import views as evaluation
from supervision.feedback import views as feedback
from supervision.figures import views as dashboard
from terminals import views as terminals
from windows import home_visit_views as home_visits
from windows import queue_views as queue
from windows import views as windows
from workflow import agency_views as agency
from workflow import calendar_views, verification
from workflow import views as cases

from . import disclosure, offline, personal, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.health, name="health"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline, name="offline"),
    path("workbench/", views.workbench, name="workbench"),
    path("progress/", views.progress, name="progress"),
    path("verify/", verification.verify, name="verify"),
    path("disclosure/", disclosure.disclosure_page, name="disclosure"),
    # 办事指南 and 一件事
    path("guide/", guide.guide, name="guide"),
    path("guide/matters/<str:code>/", guide.matter_detail, name="matter"),
    path("guide/matters/<str:code>/v<id:number>/", guide.matter_version_detail, name="matter_version"),
    path("guide/matters/<str:code>/guide.pdf", guide.matter_guide_pdf, name="matter_pdf"),
    path("guide/matters/<str:code>/v<id:number>/guide.pdf", guide.matter_guide_pdf, name="matter_version_pdf"),
    path("guide/matters/<str:code>/materials/<id:material_id>/<str:kind>/", guide.material_file,
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
    # 委托代办 and enterprise staff (我的)
    path("me/", personal.personal, name="personal"),  # 市民个人网页 (我的)
    path("me/data/<str:source>/", personal.personal_query, name="personal_query"),
    path("enterprises/<str:credit_code>/", personal.enterprise_page, name="enterprise_home"),  # 企业专属网页
    path("enterprises/<str:credit_code>/data/<str:source>/", personal.enterprise_query, name="enterprise_query"),
    path("me/messages/", messaging.inbox, name="messages"),
    path("me/terminal-pin/", terminals.terminal_pin, name="terminal_pin"),
    path("me/messages/read/", messaging.read, name="message_read"),
    path("me/messages/settings/", messaging.preferences, name="message_preferences"),
    path("me/agents/", agency.agents, name="agents"),
    path("me/agents/<id:pk>/revoke/", agency.agent_revoke, name="agent_revoke"),
    path("me/enterprises/", people.memberships, name="memberships"),
    path("me/enterprises/requests/<id:pk>/decide/", people.membership_decide, name="membership_decide"),
    path("me/enterprises/requests/<id:pk>/letter/", people.membership_letter, name="membership_letter"),
    # applications
    path("applications/", cases.my_applications, name="my_applications"),
    path("applications/<str:number>/", cases.application_detail, name="application"),
    path("applications/<str:number>/materials/<id:material_id>/record/", cases.application_material_record,
         name="application_material_record"),
    path("applications/<str:number>/withdraw/", cases.application_withdraw, name="application_withdraw"),
    path("applications/<str:number>/resubmit/", cases.application_resubmit, name="application_resubmit"),
    path("applications/<str:number>/accept/", cases.application_accept, name="application_accept"),
    path("applications/<str:number>/supplement/", cases.application_request_supplement, name="application_supplement"),
    path("applications/<str:number>/refuse/", cases.application_refuse, name="application_refuse"),
    path("applications/<str:number>/materials/<id:material_id>/provide/", cases.application_provide_deferred,
         name="application_provide_deferred"),
    path("applications/<str:number>/allow-repeat/", cases.application_allow_repeat, name="application_allow_repeat"),
    path("applications/<str:number>/supplement-at-window/", cases.application_supplement_at_window,
         name="application_supplement_window"),
    path("applications/<str:number>/deliver/", cases.application_deliver, name="application_deliver"),
    path("applications/<str:number>/delivery/", cases.application_delivery, name="application_delivery"),
    path("applications/<str:number>/post/", cases.application_post, name="application_post"),
    # electronic licences (电子证照): the holder's list, the public verification
    path("licences/", licences.my_licences, name="licences"),
    path("licences/verify/", licences.verify, name="licence_verify"),
    path("licences/<str:number>/renew/", cases.renew_licence, name="licence_renew"),  # 一键续办
    path("licences/issued/", licences.issued_licences, name="issued_licences"),
    path("my-data-use/", licences.my_data_use, name="my_data_use"),
    path("my-data-use/enterprises/<str:credit_code>/", licences.enterprise_data_use, name="enterprise_data_use"),
    # the window (综合窗口)
    path("hall/", windows.hall, name="hall"),
    path("hall/search/", windows.hall_search, name="hall_search"),
    path("hall/terminals/", terminals.hall_terminals, name="hall_terminals"),
    path("hall/terminals/<str:code>/enrolment-code/", terminals.enrolment_code, name="terminal_enrolment_code"),
    path("hall/search/<str:number>/open/", windows.hall_search_open, name="hall_search_open"),
    path("hall/walk-in/", windows.walk_in, name="walk_in"),
    path("hall/walk-in/lookup/", windows.walk_in_lookup, name="walk_in_lookup"),
    path("hall/walk-in/<str:number>/", windows.walk_in_done, name="walk_in_done"),
    path("hall/walk-in/<str:number>/notice.pdf", windows.walk_in_notice, name="walk_in_notice"),
    path("hall/delivery/", windows.delivery, name="delivery"),
    path("hall/queue/", queue.calling_refresh, name="queue_panel"),
    path("hall/queue/call/", queue.call_next, name="queue_call"),
    path("hall/queue/<uuid:token>/<str:action>/", queue.ticket_action, name="queue_ticket_action"),
    # the queue (取号叫号) and appointments (预约)
    path("queue/", queue.hall_list, name="queue_halls"),
    path("queue/tickets/<uuid:token>/", queue.ticket_page, name="ticket"),
    path("queue/tickets/<uuid:token>/cancel/", queue.ticket_cancel, name="ticket_cancel"),
    path("queue/<str:code>/", queue.terminal, name="terminal"),
    path("queue/<str:code>/screen/", queue.screen, name="screen"),
    path("appointments/", queue.my_appointments, name="my_appointments"),
    path("appointments/book/", queue.book, name="book"),
    path("appointments/slots/<id:pk>/book/", queue.book_slot, name="book_slot"),
    path("appointments/<str:code>/cancel/", queue.appointment_cancel, name="appointment_cancel"),
    path("hall/agents/", windows.agent_record, name="agent_record"),  # 委托代办 recorded at the window
    # 上门办理 and 帮办 (issue 13)
    path("home-visits/book/<str:code>/", home_visits.book, name="home_visit_book"),
    path("home-visits/<str:code>/cancel/", home_visits.cancel, name="home_visit_cancel"),
    path("hall/home-visits/", home_visits.hall_list, name="home_visits"),
    path("hall/home-visits/<str:code>/", home_visits.detail, name="home_visit_detail"),
    path("hall/home-visits/<str:code>/assign/", home_visits.assign, name="home_visit_assign"),
    path("hall/home-visits/<str:code>/no-show/", home_visits.no_show, name="home_visit_no_show"),
    path("hall/home-visits/<str:code>/receive/", home_visits.receive, name="home_visit_receive"),
    path("hall/help-desk/", home_visits.help_desk_new, name="help_desk"),
    path("hall/help-desk/<id:pk>/", home_visits.help_desk_draft, name="help_desk_draft"),
    path("staffing/", windows.staffing, name="staffing"),
    path("calendar/enter/", calendar_views.calendar_enter, name="calendar_enter"),  # 节假日安排录入 (系统管理员)  # 统一调配 (系统管理员)
    # 首问责任 consultations (staff record and answer; citizens read their own)
    path("consultations/", windows.consultation_list, name="consultations"),
    path("consultations/new/", windows.consultation_new, name="consultation_new"),
    path("consultations/<str:number>/", windows.consultation_detail, name="consultation"),
    path("consultations/<str:number>/answer/", windows.consultation_answer, name="consultation_answer"),
    path("consultations/<str:number>/handover/", windows.consultation_handover, name="consultation_handover"),
    # the department's back office (部门审批)
    path("review/", cases.review_list, name="review"),
    path("review/<str:number>/", cases.subcase_detail, name="subcase"),
    path("review/<str:number>/start/", cases.subcase_start, name="subcase_start"),
    path("review/<str:number>/decide/", cases.subcase_decide, name="subcase_decide"),
    path("review/<str:number>/clock/", cases.subcase_clock, name="subcase_clock"),
    # supervision (效能监督)
    path("supervision/", dashboard.dashboard, name="supervision"),
    path("supervision/figures/cases/", dashboard.figure_cases, name="figure_cases"),
    path("supervision/audit/", catalog_audit.audit_page, name="catalog_audit"),
    path("supervision/audit/export/", catalog_audit.audit_export, name="catalog_audit_export"),
    path("supervision/data-use/export/", licences.data_use_export, name="data_use_export"),  # 数据使用记录 (auditor)
    path("supervision/evaluation/", evaluation.evaluation_page, name="evaluation"),
    path("supervision/evaluation/export/", evaluation.evaluation_export, name="evaluation_export"),
    path("supervision/evaluation/jobs/<id:pk>/", evaluation.evaluation_job, name="evaluation_job"),
    path("supervision/evaluation/jobs/<id:pk>/<str:kind>/", evaluation.evaluation_file, name="evaluation_file"),
    path("supervision/compliance/", compliance.compliance_page, name="compliance"),
    path("supervision/compliance/export/", compliance.compliance_export, name="compliance_export"),
    path("supervision/audit-log/", compliance.audit_chain_page, name="audit_chain"),
    path("supervision/cards/", cards.card_list, name="cards"),
    path("supervision/cards/<id:pk>/", cards.card_detail, name="card"),
    path("supervision/cards/<id:pk>/contest/", cards.card_contest, name="card_contest"),
    path("supervision/cards/<id:pk>/decide/", cards.card_decide, name="card_decide"),
    path("supervision/policies/", cards.card_policies, name="card_policies"),
    path("supervision/policies/<id:pk>/", cards.card_policy, name="card_policy"),
    # 好差评 and 投诉举报
    path("rate/<str:token>/", feedback.rate, name="rate"),
    path("applications/<str:number>/rate/", feedback.application_ratings, name="application_ratings"),
    path("hall/rate/<str:number>/", feedback.window_rating, name="window_rating"),
    path("complaints/", feedback.complaint_new, name="complaint_new"),
    path("complaints/status/", feedback.complaint_status, name="complaint_status"),
    path("complaints/mine/", feedback.my_complaints, name="my_complaints"),
    path("supervision/ratings/", feedback.rating_list, name="ratings"),
    path("supervision/appeals/", feedback.appeal_list, name="appeals"),
    path("supervision/followups/", feedback.followup_list, name="followups"),
    path("supervision/followups/<id:pk>/", feedback.followup_detail, name="followup"),
    path("supervision/complaints/", feedback.complaint_list, name="complaints_staff"),
    path("supervision/complaints/<id:pk>/", feedback.complaint_detail, name="complaint_staff"),
]
