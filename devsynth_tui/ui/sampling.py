"""Resource sampling at the pace the screen needs: every ``monitor.interval`` while the resource panel is on
screen; HIDDEN_SAMPLE_EVERY times less often while it is hidden (for memory alerts only), or not at all when
hidden with no alert to watch for."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.timer import Timer

    from devsynth_tui.services.resources.monitor import Sampler
    from devsynth_tui.ui.main_screen import MainScreen

HIDDEN_SAMPLE_EVERY = 5  # with the resources hidden, sample this many times less often (for memory alerts only)


class ResourceSampling:
    """The shared sampler and the timer that reads it, for one screen."""

    def __init__(self, main: MainScreen) -> None:
        from devsynth_tui.services.resources.monitor import shared_sampler

        cfg, monitoring = main.cfg, main.cfg.memory.monitoring
        self.main = main
        self.sampler: Sampler = shared_sampler(  # its first CPU reading covers the start
            interval=cfg.monitor.interval,
            window=cfg.monitor.window,
            home=main.session.home,
            threshold_mb=monitoring.threshold if monitoring.enabled else None,
        )
        self.timer: Timer | None = None
        self.started = False

    def schedule(self) -> None:
        """Sample at the pace that fits whether the resources are on screen (once the services started)."""
        if not self.started:
            return
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        interval = self.main.cfg.monitor.interval
        panel = self.main.resource_panel
        if self.main.resources_shown():
            self.timer = panel.set_interval(interval, self.sample)
        elif self.sampler.alerts:
            self.timer = panel.set_interval(interval * HIDDEN_SAMPLE_EVERY, self.sample)

    def toggled(self, was_shown: bool) -> None:
        """The resource panel appeared or went: sample at the matching pace (at once, if it appeared)."""
        if self.main.resources_shown() == was_shown:
            return
        self.schedule()
        if self.main.resources_shown():
            self.sample()

    def sample(self) -> None:
        """One reading: alerts to the state, figures to the panel when it is on screen; the advisor's idle check."""
        main = self.main
        sample = self.sampler.sample()
        for alert in sample.alerts:
            main.alerts.append(alert)
            main.notify(alert, title="Memory", severity="warning")
        main.state.set(alerts=tuple(self.sampler.standing()))  # an alert came, or went back below its limit
        if (advisor := main._pane("advisor")) and advisor.due():
            advisor.recheck()  # only once the Advisor pane has been opened: nobody sees its findings before
        if main.resources_shown():
            self.show()

    def show(self) -> None:
        self.main.show_resources_pane()
        self.main.resource_panel.show(list(self.sampler.samples), self.main.alerts, self.main.state.figures.server)
