app_name = "members"
urlpatterns = []
