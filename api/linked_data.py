"""Placeholder: routes for linked_data (being written)."""

from fastapi import APIRouter

router = APIRouter()
