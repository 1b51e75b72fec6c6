from django.http import HttpResponse


def home(request):
    return HttpResponse("通办")


def workbench(request):
    return HttpResponse("通办")


def progress(request):
    return HttpResponse("通办")
