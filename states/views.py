def overview(request):
    pass
