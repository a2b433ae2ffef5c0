"""The base of every settings model: frozen pydantic, unknown keys are errors."""
from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # inf/nan: as strings YAML lets by
