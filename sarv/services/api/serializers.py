from sarv.core.api.serializers import ModelSerializer, NamedRefSerializer
from sarv.services.models import Service


class ServiceSerializer(ModelSerializer):
    owner_group = NamedRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Service
        fields = ["id", "code", "name", "name_fa", "name_en", "description", "owner_group"]
        read_only_fields = fields
