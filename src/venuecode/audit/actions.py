"""Enumerated audit action names (warehouse events/tags.py style): grep-able, stable."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    # Venues
    VENUE_APPLIED = "venue.applied"
    VENUE_APPROVED = "venue.approved"
    VENUE_REJECTED = "venue.rejected"
    VENUE_REVOKED = "venue.revoked"
    VENUE_REISSUED = "venue.reissued"
    VENUE_VIEWED_ENTRIES = "venue.viewed_entries"
    # People and accounts
    USER_CREATED = "user.created"
    USER_SIGNED_IN = "user.signed_in"
    USER_SIGNED_OUT = "user.signed_out"
    USER_SIGNED_OUT_EVERYWHERE = "user.signed_out_everywhere"
    USER_DEACTIVATED = "user.deactivated"
    USER_ACTIVATED = "user.activated"
    USER_PASSWORD_SET = "user.password_set"  # noqa: S105 - an action name
    USER_PASSWORD_WRONG = "user.password_wrong"  # noqa: S105 - an action name
    USER_PASSWORD_LOCKED = "user.password_locked"  # noqa: S105 - an action name
    IDENTITY_BOUND = "identity.bound"
    IDENTITY_DESK_BOUND = "identity.desk_bound"  # staff-verified at a service desk
    IDENTITY_RELEASED = "identity.released"      # taken over by the proven owner
    IDENTITY_REFUSED = "identity.refused"        # a binding or look-up that did not match
    PERSON_VIEWED = "person.viewed"
    SCANS_VIEWED = "scans.viewed"
    # Scans
    SCAN_RECORDED = "scan.recorded"
    HELP_SCAN_RECORDED = "scan.help_recorded"
    # Data interfaces
    INGEST_FILE = "ingest.file"
    INGEST_PUSH = "ingest.push"
    INGEST_REFUSED = "ingest.refused"
    INGEST_REJECTS_DOWNLOADED = "ingest.rejects_downloaded"
    API_KEY_CREATED = "apikey.created"
    API_KEY_REVOKED = "apikey.revoked"
    # Tracing
    TRACE_RUN = "trace.run"
    TRACE_LISTED = "trace.listed"  # the cases and traces lists (full case id numbers)
    TRACE_VIEWED = "trace.viewed"
    TRACE_GRAPH_VIEWED = "trace.graph_viewed"
    TRACE_EXPORTED = "trace.exported"
    TRACE_EXPORTED_WITH_PHONES = "trace.exported_with_phones"
    PHONE_REVEALED = "person.phone_revealed"  # 显示电话: one person's name and phone
    TRACE_ACTION_REQUESTED = "trace.action_requested"
    TRACE_ACTION_APPROVED = "trace.action_approved"
    TRACE_ACTION_REJECTED = "trace.action_rejected"
    TRACE_ACTION_REVIEWED = "trace.action_reviewed"  # first of two approvals of a large push
    TRACE_ACTION_WITHDRAWN = "trace.action_withdrawn"
    TRACE_MARK_LIFTED = "trace.mark_lifted"
    # Help-scan
    PAPER_CODE_ISSUED = "paper_code.issued"
    PAPER_CODE_REVOKED = "paper_code.revoked"
    PAPER_CODE_REFUSED = "paper_code.refused"  # a revoke or reissue that was not allowed
    ID_CARD_READ = "assist.id_card_read"
    HELP_ALERT_RAISED = "assist.help_alert_raised"
    HELP_ALERTS_VIEWED = "assist.help_alerts_viewed"
    # Retention
    RETENTION_PURGED = "retention.purged"
    # Gate devices (数字哨兵): their keys, and what they record
    GATE_DEVICE_ISSUED = "gate.device_issued"
    GATE_DEVICE_REVOKED = "gate.device_revoked"
    GATE_SCANNED = "gate.scanned"      # a live scan at the gate (subject the person)
    GATE_UPLOADED = "gate.uploaded"    # an offline batch (subject the device, persons listed)
    GATE_REFUSED = "gate.refused"      # a revoked key, or a key of another venue
    # Operator console: reading the audit log is itself audited
    AUDIT_VIEWED = "audit.viewed"
    AUDIT_EXPORTED = "audit.exported"
    # Venue applications and entries (issue 12)
    VENUE_RESUBMITTED = "venue.resubmitted"
    VENUE_ENTRIES_EXPORTED = "venue.entries_exported"
