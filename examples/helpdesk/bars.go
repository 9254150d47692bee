package main

import (
	"math"
	"strconv"
)

// barChart is a bar chart the server draws as inline SVG (no script, no
// build step), with the table of its numbers beside it for those who do
// not see the picture: a group of bars per label, a bar per series.
type barChart struct {
	ID, Title string
	// Desc says in a sentence what the chart shows, for screen readers
	// (the SVG's <desc>).
	Desc string
	// Category names the labels' column of the table: "Day", "Queue".
	Category string
	Labels   []string
	Series   []barSeries
	// Unit follows each value in the table and the bars' tooltips: "h"
	// for hours, "" for counts.
	Unit string
}

// barSeries is one series of a chart: a value per label. Class is its
// colour (app.css: s0 to s3, c-good, c-bad); "" takes the series' place's.
type barSeries struct {
	Name, Class string
	Values      []float64
}

// class is the colour of series i.
func (c *barChart) class(i int) string {
	if cl := c.Series[i].Class; cl != "" {
		return cl
	}
	return "s" + strconv.Itoa(i)
}

// Legend names each series with its colour.
func (c *barChart) Legend() []option {
	out := make([]option, len(c.Series))
	for i, s := range c.Series {
		out[i] = option{Value: c.class(i), Label: s.Name}
	}
	return out
}

// The drawing's size in SVG units; the SVG scales to the page's width.
const (
	chartWidth, chartHeight         = 640, 220
	chartLeft, chartRight           = 44, 8
	chartTop, chartBottom           = 10, 28
	chartMaxXLabels                 = 10
	chartPlotWidth, chartPlotHeight = chartWidth - chartLeft - chartRight, chartHeight - chartTop - chartBottom
	chartGroupGap                   = 0.2 // of a group's width, between groups
)

// svgBars is a chart as the template draws it.
type svgBars struct {
	Width, Height, Left, Right, Base int
	Bars                             []svgBar
	Ticks                            []svgTick
	XLabels                          []svgText
}

type svgBar struct {
	X, Y, W, H   float64
	Class, Title string
}

type svgTick struct {
	Y    float64
	Text string
}

type svgText struct {
	X    float64
	Text string
}

// Draw lays the chart out: the scale from 0 to a round number at least
// the largest value, three gridlines, a group of bars per label and at
// most chartMaxXLabels labels under them.
func (c *barChart) Draw() svgBars {
	d := svgBars{Width: chartWidth, Height: chartHeight, Left: chartLeft, Right: chartWidth - chartRight, Base: chartTop + chartPlotHeight}
	top := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			top = math.Max(top, v)
		}
	}
	top = niceCeil(top)
	y := func(v float64) float64 { return round1(chartTop + chartPlotHeight - v/top*chartPlotHeight) }
	for _, v := range []float64{0, top / 2, top} {
		if v == top/2 && c.Unit == "" && v != math.Trunc(v) {
			continue // no half a case
		}
		d.Ticks = append(d.Ticks, svgTick{Y: y(v), Text: formatValue(v, "")})
	}
	n := len(c.Labels)
	if n == 0 || len(c.Series) == 0 {
		return d
	}
	group := float64(chartPlotWidth) / float64(n)
	bar := group * (1 - chartGroupGap) / float64(len(c.Series))
	every := (n + chartMaxXLabels - 1) / chartMaxXLabels
	for i, label := range c.Labels {
		x0 := chartLeft + float64(i)*group + group*chartGroupGap/2
		for s, series := range c.Series {
			v := series.Values[i]
			d.Bars = append(d.Bars, svgBar{X: round1(x0 + float64(s)*bar), Y: y(v), W: round1(math.Max(bar-0.5, 0.5)), H: round1(chartTop + chartPlotHeight - y(v)),
				Class: c.class(s), Title: label + ", " + series.Name + ": " + formatValue(v, c.Unit)})
		}
		if i%every == 0 {
			d.XLabels = append(d.XLabels, svgText{X: round1(chartLeft + (float64(i)+0.5)*group), Text: label})
		}
	}
	return d
}

// Rows are the table behind the chart: a label and its value in each
// series, as text.
func (c *barChart) Rows() [][]string {
	out := make([][]string, len(c.Labels))
	for i, label := range c.Labels {
		row := []string{label}
		for _, s := range c.Series {
			row = append(row, formatValue(s.Values[i], c.Unit))
		}
		out[i] = row
	}
	return out
}

// niceCeil is the smallest of 1, 2 or 5 times a power of ten that is at
// least v; 1 for nothing to show.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// formatValue writes a value as the table shows it: whole counts as
// they are, hours with one decimal.
func formatValue(v float64, unit string) string {
	if unit == "h" {
		return strconv.FormatFloat(v, 'f', 1, 64) + " h"
	}
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + unit
}
