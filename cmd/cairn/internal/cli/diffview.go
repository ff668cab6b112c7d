package cli

import (
	"github.com/cairnflags/cairn/publisher/diff"
)

// diffJSON is the JSON form of a diff.Report.
type diffJSON struct {
	From     int64        `json:"from"`
	To       int64        `json:"to"`
	Flags    []changeJSON `json:"flags"`
	Segments []changeJSON `json:"segments"`
}

type changeJSON struct {
	Key    string      `json:"key"`
	Kind   string      `json:"kind"`
	Fields []fieldJSON `json:"fields,omitempty"`
}

type fieldJSON struct {
	Field  string     `json:"field"`
	Before string     `json:"before"`
	After  string     `json:"after"`
	Shift  *shiftJSON `json:"shift,omitempty"`
}

type shiftJSON struct {
	// Percent is the share of the serve's users that changes variation.
	Percent float64    `json:"percent"`
	Moves   []moveJSON `json:"moves"`
}

type moveJSON struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Percent float64 `json:"percent"`
}

func toDiffJSON(r diff.Report) diffJSON {
	out := diffJSON{From: r.From, To: r.To, Flags: []changeJSON{}, Segments: []changeJSON{}}
	for _, f := range r.Flags {
		out.Flags = append(out.Flags, changeJSON{f.Key, string(f.Kind), fieldsJSON(f.Fields)})
	}
	for _, s := range r.Segments {
		out.Segments = append(out.Segments, changeJSON{s.Key, string(s.Kind), fieldsJSON(s.Fields)})
	}
	return out
}

func fieldsJSON(fields []diff.FieldChange) []fieldJSON {
	var out []fieldJSON
	for _, fc := range fields {
		fj := fieldJSON{Field: fc.Field, Before: fc.Before, After: fc.After}
		if fc.Shift != nil {
			sj := &shiftJSON{Percent: fc.Shift.Percent(), Moves: []moveJSON{}}
			for _, m := range fc.Shift.Moves {
				sj.Moves = append(sj.Moves, moveJSON{m.From, m.To, bucketsPercent(m.Buckets)})
			}
			fj.Shift = sj
		}
		out = append(out, fj)
	}
	return out
}
