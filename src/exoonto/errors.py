"""Errors that reach the user as one sentence and a documented exit code."""

from __future__ import annotations

# Exit codes, documented in the README and in every command's --help.
EXIT_OK = 0
EXIT_FAILED = 1  # the input was read but does not pass: does not conform, inconsistent
EXIT_BAD_INPUT = 2  # the input cannot be read: syntax error, unknown term or parameter
EXIT_MISSING_TOOL = 3  # a needed external tool (Java, a server) is missing or unreachable


class ExoontoError(Exception):
    """An expected failure, reported to the user as one sentence."""

    exit_code = EXIT_BAD_INPUT


class InputError(ExoontoError):
    """The input cannot be read or names something unknown."""

    exit_code = EXIT_BAD_INPUT


class OutputError(ExoontoError):
    """An output file or folder cannot be written (permissions, a full disk)."""

    exit_code = EXIT_BAD_INPUT


class CheckFailed(ExoontoError):
    """The input was read but fails a check (validation, consistency)."""

    exit_code = EXIT_FAILED


class MissingTool(ExoontoError):
    """An external program the command needs is not available."""

    exit_code = EXIT_MISSING_TOOL
