"""The explorer behind the book's sliders: frames, the kernel-free HTML slider, the live widget.

The JavaScript of the HTML slider is exercised in a real browser by ``tests/browser``; here we
check what the Python side promises: one frame per grid point, byte-identical on every run (nbval
compares the HTML output byte for byte), one range input per parameter, nothing loaded from the
network, and ipywidgets controls that recompute.
"""

from __future__ import annotations

import base64
import io
import json
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from dlmath import ShapeError, explore, explore_live
from dlmath.explore import Explorer, Param

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGSIZE, DPI = (3.0, 2.0), 40  # small frames keep the tests fast: 120 x 80 pixels


def compute(a, b=1.0, flip=False):
    """A stand-in for a chapter's tested function: a line through (0, 0) with slope a * b."""
    x = np.linspace(0.0, 1.0, 11)
    return x, (-1.0 if flip else 1.0) * a * b * x


def plot(result, fig):
    x, y = result
    ax = fig.add_subplot()
    ax.plot(x, y, color="tab:blue")
    ax.set_ylim(-3, 3)
    ax.set_title("line")
    ax.set_xlabel("x")


def make(params=None, **kw):
    params = params or [Param("a", [0.5, 1.0, 2.0], label="slope a")]
    return Explorer(compute, plot, params, figsize=FIGSIZE, dpi=DPI, **kw)


def two_params():
    return make([Param("a", [0.5, 1.0, 2.0]), Param("b", [1.0, -1.0], default=0)])


def frame_uris(html: str) -> dict[str, str]:
    """The frames dictionary embedded in the slider's script."""
    data = re.search(r"var d=(\{.*?\});var r=", html).group(1)
    return json.loads(data)["frames"]


def decode(uri: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix):])


# -- frames ------------------------------------------------------------------------------------
def test_one_frame_per_grid_point_keyed_by_indices():
    assert sorted(make().frames()) == ["0", "1", "2"]
    assert sorted(two_params().frames()) == ["0_0", "0_1", "1_0", "1_1", "2_0", "2_1"]


def test_frames_are_pngs_of_the_requested_pixel_size():
    for png in two_params().frames().values():
        assert png.startswith(PNG_SIGNATURE)
        assert Image.open(io.BytesIO(png)).size == (FIGSIZE[0] * DPI, FIGSIZE[1] * DPI)


def test_frames_call_compute_at_every_grid_point_with_live_params_at_their_default():
    calls = []

    def recording(a, b, flip):
        calls.append((a, b, flip))
        return compute(a, b, flip)

    ex = Explorer(recording, plot, [Param("a", [1.0, 2.0]), Param("b", [3.0, 4.0, 5.0])],
                  live_params=[Param("flip", [False, True], default=1)], figsize=FIGSIZE, dpi=DPI)
    ex.frames()
    assert calls == [(1.0, 3.0, True), (1.0, 4.0, True), (1.0, 5.0, True),
                     (2.0, 3.0, True), (2.0, 4.0, True), (2.0, 5.0, True)]


def test_render_is_deterministic_byte_for_byte():
    ex = make()
    assert ex.render({"a": 1.0}) == ex.render({"a": 1.0})
    assert ex.frames() == ex.frames()


def test_a_frame_drawn_on_the_shared_figure_equals_one_drawn_alone():
    ex = two_params()
    assert ex.frames()["2_1"] == ex.render({"a": 2.0, "b": -1.0})


def test_different_parameter_values_give_different_pictures():
    frames = make().frames()
    pixels = [np.asarray(Image.open(io.BytesIO(frames[k])).convert("RGB")) for k in ("0", "2")]
    assert np.any(pixels[0] != pixels[1])


def test_frames_leave_no_figure_open():
    before = plt.get_fignums()
    ex = make()
    ex.frames()
    ex.render({"a": 1.0})
    ex.static_html()
    assert plt.get_fignums() == before


# -- the HTML slider -----------------------------------------------------------------------------
def test_static_html_is_deterministic():
    assert two_params().static_html() == two_params().static_html()


def test_static_html_has_one_range_input_per_param_starting_at_the_default():
    html = two_params().static_html()
    inputs = re.findall(r'<input type="range" min="0" max="(\d+)" step="1" value="(\d+)"', html)
    assert inputs == [("2", "1"), ("1", "0")]  # a: 3 values, middle by default; b: 2 values, default 0
    assert html.count('class="dlmath-explorer"') == 1
    assert html.count("<img ") == 1


def test_static_html_embeds_every_frame_as_a_data_uri_and_nothing_remote():
    ex = two_params()
    html = ex.static_html()
    uris = frame_uris(html)
    assert {k: decode(v) for k, v in uris.items()} == ex.frames()
    without_frames = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert "data:" not in without_frames and not re.search(r"https?:|//", without_frames)  # nothing remote
    shown = re.search(r'<img src="([^"]+)"', html).group(1)
    assert shown == uris["1_0"]  # the default frame is the one displayed before any input


def test_static_html_alt_text_names_the_title_and_the_values():
    html = make(title="Slope explorer").static_html()
    alt = re.search(r'<img [^>]*alt="([^"]+)"', html).group(1)
    assert alt == "Slope explorer: slope a = 1"


def test_static_html_alt_text_ends_with_the_description():
    html = make(title="Slope explorer", description="A line through the origin.").static_html()
    alt = re.search(r'<img [^>]*alt="([^"]+)"', html).group(1)
    assert alt == "Slope explorer: slope a = 1. A line through the origin."
    data = json.loads(re.search(r"var d=(\{.*?\});var r=", html).group(1))
    assert data["title"] + ": slope a = 1" + data["desc"] == alt  # what the script writes after a move


def test_static_html_sliders_announce_the_value_not_the_index():
    html = make([Param("a", [0.001, 0.01, 0.1], label="rate", fmt="{:.0e}")]).static_html()
    (tag,) = re.findall(r'<input type="range"[^>]*>', html)
    assert 'value="1"' in tag  # the range input counts grid points ...
    assert 'aria-label="rate"' in tag and 'aria-valuetext="1e-02"' in tag  # ... a screen reader hears the value
    assert "setAttribute('aria-valuetext',t)" in html  # and the script keeps it in step


def test_static_html_script_survives_a_closing_tag_in_the_title():
    ex = Explorer(compute, plot, [Param("a", [1.0, 2.0], label="</script>a")], title="</script><b>x</b>",
                  description="</SCRIPT> & more", figsize=FIGSIZE, dpi=DPI)
    html = ex.static_html()
    script = html.split("<script>", 1)[1]
    assert script.lower().count("</script>") == 1 and script.endswith("</script></div>")
    data = json.loads(re.search(r"var d=(\{.*?\});var r=", html).group(1))
    assert data["title"] == "</script><b>x</b>" and data["names"] == ["</script>a"]


def test_static_html_escapes_title_and_labels():
    ex = Explorer(compute, plot, [Param("a", [1.0, 2.0], label="a<b")], title="x & <y>",
                  figsize=FIGSIZE, dpi=DPI)
    html = ex.static_html()
    visible = html.split("<script>")[0]
    assert "x &amp; &lt;y&gt;" in visible and "a&lt;b" in visible
    assert "<y>" not in visible and "a<b" not in visible


def test_two_explorers_get_distinct_element_ids():
    ids = {re.search(r'id="(dlx-[0-9a-f]+)"', e.static_html()).group(1)
           for e in (make(title="one"), make(title="two"))}
    assert len(ids) == 2


def test_element_id_does_not_depend_on_the_png_bytes():
    # Another CPU changes a few pixels of a frame; the id (compared by nbval) must not change with them.
    ex = make(title="pixels")
    frames = ex.frames()
    other = {k: v + b"\x00" for k, v in frames.items()}
    uid = re.compile(r'id="(dlx-[0-9a-f]+)"')
    assert uid.search(ex.static_html(frames)).group(1) == uid.search(ex.static_html(other)).group(1)
    assert ex.static_html(frames) != ex.static_html(other)  # the frames themselves are embedded


def test_param_formats_values_for_the_reader():
    p = Param("lr", np.logspace(-3, 0, 4), fmt="{:.0e}")
    assert [p.show(v) for v in p.values] == ["1e-03", "1e-02", "1e-01", "1e+00"]
    assert p.start() == 2 and Param("x", [1, 2, 3], default=0).start() == 0


# -- bad parameters --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "live", "match"),
    [
        ([], [], r"Explorer: give one or two params to slide over \(got 0\)"),
        ([Param("a", [1]), Param("b", [1]), Param("c", [1])], [], r"one or two params .*got 3"),
        ([Param("a", [])], [], r"param 'a' has an empty grid of values"),
        ([Param("a", [1.0, 2.0], default=2)], [], r"default index 2 of 'a' is outside 0..1"),
        ([Param("a", [1.0, 2.0], default=-1)], [], r"default index -1 of 'a' is outside 0..1"),
        ([Param("a", [1.0])], [Param("flip", [], default=None)], r"param 'flip' has an empty grid"),
        ([Param("a", [1.0])], [Param("a", [True, False])], r"param names must be distinct"),
        ([Param("a", 0.5)], [], r"param 'a' needs a 1-D grid of values \(got 0.5\)"),
        ([Param("a", "abc")], [], r"param 'a' needs a 1-D grid of values"),
        ([Param("a", np.zeros((2, 3)))], [], r"param 'a' needs a 1-D grid of values"),
        ([Param("a", [1.0, 2.0], default=1.0)], [], r"default of 'a' is an index into its values, an int \(got 1.0\)"),
        ([Param("a", [1.0, 2.0], default=True)], [], r"default of 'a' is an index .* \(got True\)"),
        ([("a", [1.0, 2.0])], [], r"params must be Param\(name, values, ...\) \(got tuple\)"),
    ],
)
def test_bad_params_raise_shape_error(params, live, match):
    with pytest.raises(ShapeError, match=match):
        Explorer(compute, plot, params, live_params=live)


@pytest.mark.parametrize(("figsize", "dpi"), [((0.0, 2.0), 40), ((3.0, float("nan")), 40), ((3.0,), 40),
                                              ((3.0, 2.0), 0), ((3.0, 2.0), 40.5)])
def test_bad_figure_size_raises_shape_error(figsize, dpi):
    with pytest.raises(ShapeError, match=r"Explorer: figsize must be two positive inches and dpi a positive int"):
        Explorer(compute, plot, [Param("a", [1.0])], figsize=figsize, dpi=dpi)


def test_numpy_grids_and_numpy_int_defaults_are_accepted():
    ex = make([Param("a", np.linspace(0.5, 2.0, 4), default=np.int64(3))])
    assert ex.params[0].start() == 3


# -- the live widget -------------------------------------------------------------------------------
def fresh_png(ex, values, fig=None):
    """The live figure drawn the slow, obvious way: a new figure every time (the oracle of the reused one)."""
    fig = Figure(figsize=ex.figsize, dpi=ex.dpi)
    FigureCanvasAgg(fig)
    with matplotlib.rc_context(explore_live._LIVE_RC):
        ex.plot(ex.compute(**values), fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=ex.dpi)
    return buf.getvalue()


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def parts(box):
    """(controls, image, status) of a live widget: title, the controls, the figure, the status line."""
    return list(box.children[1:-2]), box.children[-2], box.children[-1]


def test_widget_has_a_slider_per_param_a_checkbox_per_bool_param_and_the_default_picture():
    ipywidgets = pytest.importorskip("ipywidgets")
    ex = make([Param("a", [0.5, 1.0, 2.0]), Param("b", [1, 2, 3])], live_params=[Param("flip", [False, True])])
    box = ex.widget()
    kinds = [type(c).__name__ for c in box.children]
    assert kinds == ["HTML", "FloatSlider", "IntSlider", "Checkbox", "Image", "HTML"]
    controls, image, status = parts(box)
    assert [c.value for c in controls] == [1.0, 2, False]  # len // 2 when no default; a toggle at its first value
    assert isinstance(image, ipywidgets.Image) and status.value == ""
    assert image.value == ex.render({"a": 1.0, "b": 2, "flip": False})  # the start frame itself


def test_live_sliders_are_continuous_over_a_wider_range_than_the_grid():
    pytest.importorskip("ipywidgets")
    ex = make([Param("log10_lr", np.linspace(-4, 0, 9)), Param("hidden", (2, 4, 8), default=1)],
              live_params=[Param("alpha", (0.01, 0.1, 1.0, 10.0, 100.0), default=2)])
    (lr, hidden, alpha), _, _ = parts(ex.widget(first_png=b"start"))
    assert [type(c).__name__ for c in (lr, hidden, alpha)] == ["FloatSlider", "IntSlider", "FloatLogSlider"]
    assert (lr.min, lr.max, lr.step, lr.value) == (-4.5, 0.5, 0.05, -2.0)
    assert (hidden.min, hidden.max, hidden.value) == (1, 11, 4)
    assert (alpha.min, alpha.max, alpha.base, alpha.value) == (-3.0, 3.0, 10.0, 1.0)
    ranges = {p.name: explore_live._live_range(p) for p in [*ex.params, *ex.live_params]}
    # grid -4..0 in steps of 0.5: one spacing more at each end (span / 8 is also 0.5), in steps of 0.5 / 10
    assert ranges["log10_lr"] == ("float", -4.5, 0.5, 0.05)
    # whole numbers stay whole; the median spacing is 3; a count that starts at 2 never goes below 1
    assert ranges["hidden"] == ("int", 1.0, 11.0, 1.0)
    # four decades of positive values: a log-scale slider over exponents -3..3 (-2..2 widened by 1)
    assert ranges["alpha"] == ("log", -3.0, 3.0, 0.1)


def test_a_log10_exponent_with_a_grid_of_ints_gets_a_continuous_slider():
    assert explore_live._live_range(Param("log10_scale", np.arange(0, 4))) == ("float", -1.0, 4.0, 0.1)
    # the chapter's rate grid -7..0: one decade more at each end
    assert explore_live._live_range(Param("log10_lr", np.arange(-7.0, 0.01, 1.0))) == ("float", -8.0, 1.0, 0.1)


def test_live_range_can_be_given():
    assert explore_live._live_range(Param("x", [1.0, 2.0], live=(0.0, 5.0))) == ("float", 0.0, 5.0, 0.05)
    assert explore_live._live_range(Param("n", [1, 2], live=(1, 50, 1))) == ("int", 1.0, 50.0, 1.0)
    assert explore_live._live_range(Param("lr", [0.01, 1.0], live=(1e-4, 1e2, 0.05))) == ("log", -4.0, 2.0, 0.05)
    assert explore_live._live_range(Param("s", ["x", "y"]))[0] == "select"


@pytest.mark.parametrize(("param", "match"), [
    (Param("x", [1.0, 2.0], live=(2.0, 1.0)), r"live range of 'x' must be \(low, high\) or \(low, high, step\) "
                                               r"with low < high and step > 0 \(got \(2.0, 1.0\)\)"),
    (Param("x", [1.0, 2.0], live=(0.0, 1.0, 0.0)), r"live range of 'x' must be .*step > 0"),
    (Param("x", [1.0, 2.0], live=(0.0, float("inf"))), r"live range of 'x' must be"),
    (Param("x", [1.0, 2.0], live=(0.0,)), r"live range of 'x' must be"),
    (Param("x", [1.0, 2.0], live="0..1"), r"live range of 'x' must be"),
    (Param("lr", [0.01, 1.0], live=(0.0, 1.0)), r"live range of 'lr' must be .* with 0 < low < high"),
    (Param("flip", [False, True], live=(0, 1)), r"param 'flip' has a live range but its grid is not numbers"),
    (Param("x", [1.0, float("nan")]), r"param 'x' has a non-finite value in its grid"),
])
def test_bad_live_ranges_raise_shape_error(param, match):
    with pytest.raises(ShapeError, match=match):
        make([param])


def test_widget_controls_recompute_and_redraw_any_value():
    pytest.importorskip("ipywidgets")
    calls = []

    def recording(a, flip=False):
        calls.append((a, flip))
        return compute(a, 1.0, flip)

    ex = Explorer(recording, plot, [Param("a", [0.5, 1.0, 2.0])], live_params=[Param("flip", [False, True], default=0)],
                  figsize=FIGSIZE, dpi=DPI)
    (slider, checkbox), image, status = parts(ex.widget())
    first = image.value
    slider.value = 2.37  # between grid points, beyond the HTML frames
    assert calls[-1] == (2.37, False)
    assert np.array_equal(pixels(image.value), pixels(fresh_png(ex, {"a": 2.37, "flip": False})))
    assert image.value != first
    checkbox.value = True
    assert calls[-1] == (2.37, True)
    assert np.array_equal(pixels(image.value), pixels(fresh_png(ex, {"a": 2.37, "flip": True})))


def test_an_error_while_redrawing_is_shown_and_the_last_picture_kept():
    pytest.importorskip("ipywidgets")

    def fragile(a):
        if a > 1.5:
            raise ShapeError("fragile: a must be <= 1.5 (got a = 2)")
        return compute(a)

    ex = Explorer(fragile, plot, [Param("a", [0.5, 1.0, 2.0], live=(0.0, 2.5))], figsize=FIGSIZE, dpi=DPI)
    (slider,), image, status = parts(ex.widget(first_png=b"start"))
    slider.value = 0.7
    shown = image.value
    slider.value = 2.0
    assert image.value == shown
    assert "ShapeError: fragile: a must be &lt;= 1.5 (got a = 2)" in status.value
    slider.value = 0.9  # moving back clears the message and draws again
    assert status.value == "" and image.value != shown
    assert np.array_equal(pixels(image.value), pixels(fresh_png(ex, {"a": 0.9})))


def test_the_reused_figure_draws_the_same_pixels_as_a_new_one():
    """Axes emptied and handed back to ``plot`` must not remember anything of the previous picture: the
    test plot switches scales, limits, insets, legends, a suptitle and the subplot spacing between calls."""
    def busy_plot(result, fig):
        x, y = result
        ax1, ax2 = fig.subplots(1, 2)
        if y[-1] > 0:
            ax1.set_yscale("log")
            ax1.plot(x[1:], y[1:], label="up")
            ax1.legend()
            ax2.inset_axes([0.5, 0.5, 0.4, 0.4]).plot(x, y)
            fig.suptitle("up")
            fig.subplots_adjust(wspace=0.6, top=0.8)
        else:
            ax1.plot(x, y, "r")
            ax1.set_ylim(-3, 0)
            ax1.grid(True)
        ax2.scatter(x, y)
        ax2.set_title(f"slope {y[-1]:.2f}")

    ex = Explorer(compute, busy_plot, [Param("a", [0.5, 1.0, 2.0], live=(0.1, 3.0))],
                  live_params=[Param("flip", [False, True])], figsize=FIGSIZE, dpi=DPI)
    fig = explore_live._ReusedFigure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    for values in [{"a": 1.0, "flip": False}, {"a": 2.5, "flip": True}, {"a": 0.3, "flip": False},
                   {"a": 0.3, "flip": True}, {"a": 2.9, "flip": False}]:
        live = explore_live._live_png(ex, fig, values)
        assert np.array_equal(pixels(live), pixels(fresh_png(ex, values))), values
    assert len(fig.axes) == 2 and len(fig.axes[1].child_axes) == 1  # the same two axes, one inset (not five)


CHAPTER_MOVES = {
    "scaling": [{"log10_scale": 3.0, "log10_lr": -2.0, "standardize": False},
                {"log10_scale": 3.6, "log10_lr": 0.7, "standardize": False},  # diverges
                {"log10_scale": -0.5, "log10_lr": -4.8, "standardize": True},
                {"log10_scale": 1.3, "log10_lr": -1.15, "standardize": False}],
    "batch": [{"log10_lr": 0.5, "hidden": 4}, {"log10_lr": 2.9, "hidden": 9}, {"log10_lr": -2.7, "hidden": 1},
              {"log10_lr": 1.3, "hidden": 4}],
}


@pytest.mark.parametrize("chapter", sorted(CHAPTER_MOVES))
def test_the_chapters_plots_draw_the_same_pixels_on_the_reused_figure(chapter):
    from dlmath import batch_explorer, scaling

    compute_plot = {"scaling": (scaling.scaling_explorer, scaling.plot_scaling_run),
                    "batch": (batch_explorer.explore_learning_rate, batch_explorer.plot_learning_rate)}[chapter]
    ex = Explorer(*compute_plot, [Param("log10_lr", [-1.0, 0.0])], figsize=(8, 3.2), dpi=80)
    fig = explore_live._ReusedFigure(figsize=ex.figsize, dpi=ex.dpi)
    FigureCanvasAgg(fig)
    for values in CHAPTER_MOVES[chapter]:
        assert np.array_equal(pixels(explore_live._live_png(ex, fig, values)), pixels(fresh_png(ex, values))), values


def test_the_live_figure_is_not_pyplots():
    pytest.importorskip("ipywidgets")
    before = plt.get_fignums()
    (slider,), _, _ = parts(make().widget())
    slider.value = 1.7
    assert plt.get_fignums() == before  # the inline backend would show a pyplot figure under the cell


# -- what a notebook displays ------------------------------------------------------------------------
def test_outside_a_kernel_the_mimebundle_is_html_and_text_only():
    bundle = make(title="Demo")._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/plain"] == "<Demo: slope a over 3 values>"
    assert bundle["text/html"] == make(title="Demo").static_html()


def displayed(monkeypatch, ex, in_kernel: bool) -> list[dict]:
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj) if raw else None)
    monkeypatch.setattr(explore, "_in_kernel", lambda: in_kernel)
    ex._ipython_display_()
    return shown


def test_in_a_kernel_the_static_slider_and_the_widget_are_two_outputs(monkeypatch):
    pytest.importorskip("ipywidgets")
    ex = make(title="Demo")
    static, live = displayed(monkeypatch, ex, True)
    assert static == {"text/plain": "<Demo: slope a over 3 values>", "text/html": ex.static_html()}
    assert set(live) == {explore.WIDGET_MIME, "text/html", "text/plain"}
    assert live["text/html"] == live["text/plain"] == ""  # the book (and an untrusted notebook) shows nothing
    view = live[explore.WIDGET_MIME]
    assert view["version_major"] == 2 and re.fullmatch(r"[0-9a-f]{32}", view["model_id"])


def test_outside_a_kernel_only_the_static_slider_is_displayed(monkeypatch):
    assert [set(b) for b in displayed(monkeypatch, make(), False)] == [{"text/plain", "text/html"}]


def test_static_and_live_outputs_hide_each_other_by_their_ids_in_jupyter():
    pytest.importorskip("ipywidgets")
    ex = make(title="Pair")
    uid = ex.uid()
    html = ex.static_html()
    box = ex.widget()
    assert f'id="{uid}"' in html and f"{uid}-live" in box._dom_classes
    # the static output hides a widget output of its cell that failed ("model not found") or holds no live view
    assert (f".jp-Cell:has(#{uid}) .jp-OutputArea-child:has(> .jp-OutputArea-output.jupyter-widgets),"
            f".jp-Cell:has(#{uid}) .jp-OutputArea-output:not([data-mime-type]):not(:has(.{uid}-live))"
            "{display:none}") in html
    # ... and the live view hides the static output while it is connected, or itself when it is not
    style = box.children[0].value
    assert f".jp-Cell:has(.{uid}-live:not(.jupyter-widgets-disconnected)) .jp-OutputArea-child:has(#{uid})" in style
    assert f".jp-OutputArea-child:has(.{uid}-live.jupyter-widgets-disconnected){{display:none}}" in style


def has_nesting(selector: str) -> int:
    """How deep :has() goes inside another :has() in a selector (CSS forbids it: the whole rule is dropped)."""
    depth, deepest, stack = 0, 0, []
    for i, ch in enumerate(selector):
        if ch == "(":
            opens_has = selector[max(0, i - 4):i] == ":has"
            stack.append(opens_has)
            depth += opens_has
            deepest = max(deepest, depth)
        elif ch == ")":
            depth -= stack.pop()
    return deepest


def test_no_has_inside_has_in_the_explorers_css():
    pytest.importorskip("ipywidgets")
    ex = make(title="CSS")
    styles = re.findall(r"<style>(.*?)</style>", ex.static_html() + ex.widget(first_png=b"x").children[0].value)
    selectors = [sel for style in styles for rule in style.split("}") if "{" in rule
                 for sel in rule.split("{")[0].split(",")]
    assert len(selectors) == 4
    assert [has_nesting(sel) for sel in selectors] == [1, 1, 1, 1], selectors
    assert has_nesting(".a:has(> .b:not(:has(.c)))") == 2  # what the first version did: dropped by the browser


def test_the_jupyter_note_is_removed_by_the_script_outside_jupyter():
    html = make().static_html()
    assert '<p class="dlx-jupyter-note"' in html and "run the chapter (Run \u25b8 Run All Cells)" in html
    assert "if(!r.closest('.jp-OutputArea,.output_area')){r.querySelector('.dlx-jupyter-note').remove();}" in html


def test_not_in_a_kernel_here():
    assert explore._in_kernel() is False


def test_start_positions():
    assert Param("lr", [0.1, 0.2, 0.3, 0.4]).start() == 2  # the middle of the grid
    assert Param("standardize", [False, True]).start() == 0  # a toggle starts at its first value
    assert Param("standardize", [False, True], default=1).start() == 1


def test_the_widget_reuses_the_start_frame_it_is_given():
    ex = make([Param("a", [0.5, 1.0, 2.0])], live_params=[Param("flip", [False, True])])
    frames = ex.frames()
    first = frames[ex.start_key()]
    assert ex.start_key() == "1"
    assert first == ex.render({"a": 1.0, "flip": False})  # the live figure's first picture, drawn independently
    assert parts(ex.widget(first_png=first))[1].value == first
    assert ex.static_html(frames) == ex.static_html()
