"""Placeholder: routes for entities (being written)."""

from fastapi import APIRouter

router = APIRouter()
