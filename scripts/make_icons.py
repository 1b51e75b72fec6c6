"""Draw the installable web app's icons (static/img/icon-192.png, icon-512.png, and a maskable
512 px one with a safe margin) from the shapes of static/img/emblem.svg, with Pillow. The PNGs are
committed; run this again only when the emblem changes: `.venv/bin/python scripts/make_icons.py`."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "img"
RED, GOLD, WHITE = "#c8102e", "#f5d27a", "#ffffff"


def emblem(size: int, *, margin: float = 0.0) -> Image.Image:
    """The 48-unit emblem drawn at `size` px; `margin` (0–0.5) of the side left as red background."""
    scale_up = 4  # draw large, then shrink: smooth edges without anti-aliasing primitives
    big = size * scale_up
    image = Image.new("RGBA", (big, big), RED if margin else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    inner = big * (1 - 2 * margin)
    offset = big * margin
    u = inner / 48

    def box(x0, y0, x1, y1):
        return [offset + x0 * u, offset + y0 * u, offset + x1 * u, offset + y1 * u]

    draw.rounded_rectangle(box(2, 2, 46, 46), radius=9 * u, fill=RED)
    draw.rounded_rectangle(box(5, 5, 43, 43), radius=7 * u, outline=GOLD, width=max(1, round(1.5 * u)))
    # the door: an arch 24 units wide from x=12 to 36, rising to y=9, legs 6 units wide down to y=37
    draw.pieslice(box(12, 9, 36, 33), 180, 360, fill=WHITE)
    draw.rectangle(box(12, 21, 36, 37), fill=WHITE)
    draw.pieslice(box(18, 16, 30, 28), 180, 360, fill=RED)
    draw.rectangle(box(18, 22, 30, 37), fill=RED)
    draw.rounded_rectangle(box(10, 37, 38, 40), radius=1.5 * u, fill=WHITE)
    draw.ellipse(box(22, 11.5, 26, 15.5), fill=GOLD)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    emblem(192).save(OUT / "icon-192.png", optimize=True)
    emblem(512).save(OUT / "icon-512.png", optimize=True)
    emblem(512, margin=0.1).save(OUT / "icon-maskable-512.png", optimize=True)
    print("wrote", ", ".join(p.name for p in sorted(OUT.glob("icon-*.png"))))


if __name__ == "__main__":
    main()
