/// Training curves as a self-contained SVG file: no plotting library, just polylines a browser can open.
module Autodiff.Examples.MnistCnn.Chart

open System
open System.Globalization
open System.IO
open System.Text
open Autodiff.Checkpoints

/// One named curve: y values at epochs 1, 2, … and its stroke colour.
type Series = { Name: string; Colour: string; Values: float list }

let private inv (x: float) = x.ToString("0.###", CultureInfo.InvariantCulture)

/// One panel at (left, top) of the given size: axes, integer epoch ticks, y range ticks, the series and a legend in the
/// top or bottom right corner (where falling or rising curves leave room).
let private panel (svg: StringBuilder) (title: string) (legendAtTop: bool) (left: float) (top: float) (width: float) (height: float) (series: Series list) =
    let values = series |> List.collect _.Values
    let lo, hi = List.min values, List.max values
    let lo, hi = if hi - lo < 1e-12 then lo - 0.5, hi + 0.5 else lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)
    let epochs = series |> List.map (fun s -> s.Values.Length) |> List.max
    let x epoch = left + width * (if epochs = 1 then 0.5 else float (epoch - 1) / float (epochs - 1))
    let y value = top + height * (1.0 - (value - lo) / (hi - lo))
    svg.AppendLine(sprintf """<text x="%s" y="%s" font-size="14" font-weight="bold">%s</text>""" (inv left) (inv (top - 10.0)) title) |> ignore
    svg.AppendLine(sprintf """<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#888"/>""" (inv left) (inv top) (inv width) (inv height)) |> ignore
    // Integer epochs only: with many epochs, every k-th one so the labels do not collide.
    let tickStep = max 1 (int (ceil (float epochs / 10.0)))
    for epoch in 1 .. tickStep .. epochs do
        svg.AppendLine(sprintf """<text x="%s" y="%s" font-size="11" text-anchor="middle">%d</text>""" (inv (x epoch)) (inv (top + height + 15.0)) epoch) |> ignore
    for i in 0 .. 4 do
        let value = lo + (hi - lo) * float i / 4.0
        svg.AppendLine(sprintf """<text x="%s" y="%s" font-size="11" text-anchor="end">%s</text>""" (inv (left - 5.0)) (inv (y value + 4.0)) (value.ToString("0.####", CultureInfo.InvariantCulture))) |> ignore
    svg.AppendLine(sprintf """<text x="%s" y="%s" font-size="12" text-anchor="middle">epoch</text>""" (inv (left + width / 2.0)) (inv (top + height + 32.0))) |> ignore
    series |> List.iteri (fun i s ->
        let points = s.Values |> List.mapi (fun k v -> sprintf "%s,%s" (inv (x (k + 1))) (inv (y v))) |> String.concat " "
        svg.AppendLine(sprintf """<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>""" s.Colour points) |> ignore
        let ly = if legendAtTop then top + 15.0 + 16.0 * float i else top + height - 15.0 - 16.0 * float (series.Length - 1 - i)
        svg.AppendLine(sprintf """<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"/>""" (inv (left + width - 120.0)) (inv ly) (inv (left + width - 100.0)) (inv ly) s.Colour) |> ignore
        svg.AppendLine(sprintf """<text x="%s" y="%s" font-size="12">%s</text>""" (inv (left + width - 95.0)) (inv (ly + 4.0)) s.Name) |> ignore)

/// Writes an SVG of two panels, loss and accuracy (%) per epoch, to `path` (atomically, like checkpoints).
let write (path: string) (loss: Series list) (accuracy: Series list) =
    if loss |> List.exists (fun s -> s.Values.IsEmpty) || accuracy |> List.exists (fun s -> s.Values.IsEmpty) then
        invalidArg (nameof loss) "Chart.write: every series needs at least one value"
    let svg = StringBuilder()
    svg.AppendLine("""<svg xmlns="http://www.w3.org/2000/svg" width="900" height="360" font-family="sans-serif">""") |> ignore
    svg.AppendLine("""<rect width="900" height="360" fill="white"/>""") |> ignore
    panel svg "Loss" true 70.0 40.0 340.0 260.0 loss
    panel svg "Accuracy (%)" false 520.0 40.0 340.0 260.0 accuracy
    svg.AppendLine("</svg>") |> ignore
    AtomicFile.Write(path, ReadOnlyMemory(Encoding.UTF8.GetBytes(svg.ToString())))
