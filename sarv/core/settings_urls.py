
app_name = "settings"

urlpatterns: list = []
