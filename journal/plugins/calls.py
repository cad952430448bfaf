"""Calling hooks through pluggy, with one plugin's failure never stopping the next.

When a plugin is registered, every one of its hook implementations is
replaced by an isolating function (:meth:`HookCalls.isolate`). It runs the
plugin's code only while the plugin is active, checks the result against the
hook's declared type (:mod:`journal.plugins.hookspecs`), and records an
exception or a result that does not fit on the plugin's load record; then it
returns None (or the part of a list that fits), so pluggy's own call loop goes
on with the next implementation. Ordering (``tryfirst``/``trylast``) and hook
wrappers (``wrapper=True``) work as pluggy documents them. In strict mode
(``JOURNAL_STRICT_PLUGINS``) the error is raised instead. Calling a renamed
hook also calls the implementations of its deprecated name (one release).
"""

from __future__ import annotations

import contextvars
import functools
import logging
from contextlib import contextmanager

from journal.plugins import hookspecs
from journal.plugins.records import PluginError
from journal.plugins.shapes import ShapeError
from journal.plugins.shapes import conform
from journal.plugins.shapes import item_name
from journal.plugins.shapes import item_type
from journal.plugins.shapes import return_types

#: Each hook's declared return type, the one definition results are checked against.
RETURN_TYPES = return_types(hookspecs)
#: New hook name -> the deprecated names still called with it (:data:`hookspecs.RENAMED_HOOKS`).
OLD_NAMES: dict[str, list[str]] = {}
for _old, _new in hookspecs.RENAMED_HOOKS.items():
    OLD_NAMES.setdefault(_new, []).append(_old)

log = logging.getLogger("journal.plugins")

# The plugins whose implementations run in the current call (None: the active ones).
_RUNNING: contextvars.ContextVar[frozenset | None] = contextvars.ContextVar(
    "journal_plugins_running", default=None)
# Lists collecting the names of plugins that fail (see HookCalls.watching_failures).
_WATCHERS: contextvars.ContextVar[tuple] = contextvars.ContextVar(
    "journal_plugin_failure_watchers", default=())


class HookCalls:
    """The hook-calling part of :class:`~journal.plugins.host.PluginHost`.

    Uses the host's ``pm`` (pluggy manager), ``records``, ``strict``,
    ``loaded_names()`` and ``running_names()``.
    """

    def call(self, hook_name: str, **kwargs):
        """Call a hook on the running plugins (built in, or enabled) through pluggy.

        :return: what pluggy returns: the list of non-None results, each one
            checked and normalised (the single result for a ``firstresult`` hook).
        """
        return self._run(self.running_names(), hook_name, kwargs)

    def call_loaded(self, hook_name: str, **kwargs):
        """Call a hook on every loaded plugin, enabled or not (e.g. all templates)."""
        return self._run(None, hook_name, kwargs)

    def call_plugin(self, name: str, hook_name: str, default=None, **kwargs):
        """Call plugin ``name``'s implementation of a hook, enabled or not.

        :return: its checked result, or ``default`` when it has none, returns
            None, raises or returns something that does not fit.
        """
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            if impl.plugin_name == name and not impl.wrapper:
                token = _RUNNING.set(frozenset({name}))
                try:
                    result = impl.function(*[kwargs[a] for a in impl.argnames])
                finally:
                    _RUNNING.reset(token)
                return default if result is None else result
        return default

    def _run(self, names, hook_name: str, kwargs: dict):
        token = _RUNNING.set(frozenset(names) if names is not None else None)
        try:
            results = getattr(self.pm.hook, hook_name)(**kwargs)
            for old in OLD_NAMES.get(hook_name, ()):  # plugins not renamed yet still count
                results = [*results, *getattr(self.pm.hook, old)(**kwargs)]
            return results
        finally:
            _RUNNING.reset(token)

    def _runs(self, name: str) -> bool:
        running = _RUNNING.get()
        return name in (self.loaded_names() if running is None else running)

    # -- isolation ---------------------------------------------------------
    def isolate(self, name: str) -> None:
        """Wrap each of plugin ``name``'s hook implementations so it runs isolated."""
        plugin = self.pm.get_plugin(name)
        for caller in self.pm.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin_name == name:
                    wrap = self._isolated_wrapper if impl.wrapper else self._isolated
                    impl.function = wrap(name, caller.name, impl.function)

    def _isolated(self, name: str, hook_name: str, function):
        @functools.wraps(function)
        def isolated(*args):
            if not self._runs(name):
                return None
            try:
                result = function(*args)
            except Exception as exc:
                self.record_failure(name, hook_name, exc)
                return None
            return self.accept(name, hook_name, result)

        return isolated

    def _isolated_wrapper(self, name: str, hook_name: str, function):
        @functools.wraps(function)
        def isolated(*args):
            if not self._runs(name):
                return (yield)
            try:
                steps = function(*args)
                next(steps)
            except Exception as exc:  # includes a wrapper that never yields
                self.record_failure(name, hook_name, exc)
                return (yield)
            try:
                inner = yield
            except Exception as exc:  # strict mode: an implementation inside raised
                try:
                    steps.throw(exc)
                except StopIteration as done:
                    return done.value
                raise
            try:
                steps.send(inner)
            except StopIteration as done:
                return self.accept_outcome(name, hook_name, done.value, inner)
            except Exception as exc:
                self.record_failure(name, hook_name, exc)
                return inner
            steps.close()
            self.invalid(name, hook_name, "the wrapper yields more than once")
            return inner

        return isolated

    def accept(self, name: str, hook_name: str, value):
        """Return ``value`` checked against the hook's declared type (None if it does not fit).

        In a list, only the items that do not fit are left out; each is recorded.
        """
        declared = RETURN_TYPES[hook_name]
        if value is None or declared is None or declared is type(None):
            return None  # a hook whose result is ignored
        known = {"plugin": name}
        item = item_type(declared)
        if item is not None and isinstance(value, (list, tuple)):
            kept = []
            for index, each in enumerate(value):
                try:
                    kept.append(conform(each, item, known, item_name(each, item, index, "the list")))
                except ShapeError as exc:
                    self.invalid(name, hook_name, str(exc))
            return kept
        try:
            return conform(value, declared, known)
        except ShapeError as exc:
            self.invalid(name, hook_name, str(exc))
            return None

    def accept_outcome(self, name: str, hook_name: str, value, inner):
        """Return what wrapper ``name`` returned if it fits the hook, else the ``inner`` result."""
        declared = RETURN_TYPES[hook_name]
        firstresult = getattr(self.pm.hook, hook_name).spec.opts.get("firstresult")
        try:
            if firstresult:
                return conform(value, declared, {"plugin": name}, keep_known=True)
            return conform(value, list[declared], {"plugin": name}, "the results",
                           keep_known=True)
        except ShapeError as exc:
            self.invalid(name, hook_name, str(exc))
            return inner

    def call_unisolated(self, name: str, hook_name: str):
        """Call a plugin's hook that takes no arguments, without isolation (load time).

        Its result is checked strictly.

        :raise PluginError: the result does not fit; the plugin's own exception
            propagates.
        """
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            if impl.plugin_name == name and not impl.wrapper:
                function = getattr(impl.function, "__wrapped__", impl.function)
                result = function()
                if result is None:
                    return None
                try:
                    return conform(result, RETURN_TYPES[hook_name], {"plugin": name})
                except ShapeError as exc:
                    raise PluginError(f"{hook_name} returned an invalid value: {exc}") from None
        return None

    # -- failures ----------------------------------------------------------
    @contextmanager
    def watching_failures(self):
        """Collect the names of the plugins that fail inside the block.

        ``with host.watching_failures() as failed: …`` (strict mode still raises).
        """
        failed: list[str] = []
        token = _WATCHERS.set(_WATCHERS.get() + (failed,))
        try:
            yield failed
        finally:
            _WATCHERS.reset(token)

    def remember_failure(self, name: str, where: str, exc: BaseException) -> None:
        """Record that plugin ``name`` failed (admin page, ``plugins list``) without raising."""
        record = self.records.get(name)
        if record is not None:
            record.remember(where, exc)
        for failed in _WATCHERS.get():
            failed.append(name)
        log.error("plugin %s failed in %s: %s", name, where, type(exc).__name__)

    def record_failure(self, name: str, where: str, exc: Exception) -> None:
        """Record that a plugin raised in (or returned garbage from) ``where``.

        The error shows on the admin page; in strict mode it is re-raised.
        """
        self.remember_failure(name, where, exc)
        if self.strict:
            raise exc

    def invalid(self, name: str, hook_name: str, message: str) -> None:
        """Record that ``name`` returned something invalid from ``hook_name``."""
        try:
            raise PluginError(f"{hook_name} returned an invalid value: {message}")
        except PluginError as exc:
            self.record_failure(name, hook_name, exc)
