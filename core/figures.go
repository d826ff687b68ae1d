package core

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Figures are the numbers of a run report by their dotted paths — the names users write in
// `expect` lines, sweep rows, `compare`, `staff --target` and plots ("service._all.asa",
// "occupancy.Chat", "urs_share.Sales.URS_1"). Paths follow the report's JSON field names and the
// scenario's names under its maps. Text (names, hashes) and lists (expectations, warnings) are not
// figures. A figure with nothing to average over (an ASA with nobody answered) is NaN: undefined,
// never a 0 nobody measured (ServiceFigures.Undefined); its JSON is null.
type Figures map[string]float64

// Undefined says whether a figure's value is undefined (NaN).
func Undefined(x float64) bool { return math.IsNaN(x) }

// MarshalJSON writes undefined figures as null (JSON has no NaN).
func (f Figures) MarshalJSON() ([]byte, error) {
	m := make(map[string]*float64, len(f))
	for k, v := range f {
		if !math.IsNaN(v) {
			m[k] = &v
		} else {
			m[k] = nil
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads null as undefined (NaN).
func (f *Figures) UnmarshalJSON(b []byte) error {
	var m map[string]*float64
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m == nil {
		*f = nil
		return nil
	}
	out := make(Figures, len(m))
	for k, v := range m {
		if v == nil {
			out[k] = math.NaN()
		} else {
			out[k] = *v
		}
	}
	*f = out
	return nil
}

// undefinedFigures is implemented by report sections some of whose figures can be undefined:
// the names (JSON field names) that are, now.
type undefinedFigures interface{ undefinedFigures() []string }

// Figures flattens every number of the report to its path. It is the one flattener: expectations,
// studies and plots all read the report through it, so a figure has one name everywhere.
func (r *Report) Figures() Figures {
	out := Figures{}
	if r != nil {
		flatten(out, "", reflect.ValueOf(r).Elem(), ReportShape())
	}
	return out
}

// flatten walks a value of the report beside its shape, which knows each struct's fields.
func flatten(out Figures, prefix string, v reflect.Value, sh *Shape) {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		out[prefix] = float64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		out[prefix] = float64(v.Uint())
	case reflect.Float32, reflect.Float64:
		out[prefix] = v.Float()
	case reflect.Pointer:
		if !v.IsNil() {
			flatten(out, prefix, v.Elem(), sh)
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		it := v.MapRange()
		for it.Next() {
			flatten(out, joinPath(prefix, it.Key().String()), it.Value(), sh.Elem)
		}
	case reflect.Struct:
		for _, f := range sh.fields {
			flatten(out, joinPath(prefix, f.name), v.FieldByIndex(f.index), sh.Fields[f.name])
		}
		if u, ok := v.Interface().(undefinedFigures); ok {
			for _, name := range u.undefinedFigures() {
				out[joinPath(prefix, name)] = math.NaN()
			}
		}
	}
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

type jsonField struct {
	name  string
	index []int // for reflect's FieldByIndex: an embedded struct's fields are promoted
}

// jsonFields are a struct's exported fields under their JSON names, in declaration order; the
// fields of an embedded struct without a JSON name are promoted, as encoding/json reads them
// (interactions embeds the account of damage).
func jsonFields(t reflect.Type) []jsonField {
	var fs []jsonField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for _, inner := range jsonFields(f.Type) {
				fs = append(fs, jsonField{inner.name, append([]int{i}, inner.index...)})
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs = append(fs, jsonField{name, []int{i}})
	}
	return fs
}

// Shape is the structure of the report under a path, derived from the Report type by the same
// walk as Figures, so that a path can be checked before any run (lint) and a path that names a
// group of figures or a text can be told from an absent figure.
type Shape struct {
	Kind   ShapeKind
	Fields map[string]*Shape // ShapeObject
	Order  []string          // ShapeObject: field names in the report's order, for suggestions
	Elem   *Shape            // ShapeNames: the value under each name
	fields []jsonField       // ShapeObject: where each field is in the struct, in Order
}

// ShapeKind says what a path of the report holds.
type ShapeKind uint8

const (
	ShapeNumber ShapeKind = iota
	ShapeText             // strings, booleans, lists: not figures
	ShapeObject           // a struct: fixed field names
	ShapeNames            // a map: names from the scenario (queues, strategies, URS, DAPs…)
)

// ReportShape is the shape of the whole report, computed once (the Report type does not change
// while the program runs) and read by every Figures.
var ReportShape = sync.OnceValue(func() *Shape { return shapeOf(reflect.TypeFor[Report]()) })

func shapeOf(t reflect.Type) *Shape {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return &Shape{Kind: ShapeNumber}
	case reflect.Map:
		return &Shape{Kind: ShapeNames, Elem: shapeOf(t.Elem())}
	case reflect.Pointer:
		return shapeOf(t.Elem())
	case reflect.Struct:
		s := &Shape{Kind: ShapeObject, Fields: map[string]*Shape{}}
		s.fields = jsonFields(t)
		for _, f := range s.fields {
			s.Fields[f.name] = shapeOf(t.FieldByIndex(f.index).Type)
			s.Order = append(s.Order, f.name)
		}
		return s
	}
	return &Shape{Kind: ShapeText}
}

// At is the shape under path (any name passes a map), or nil when the report has no such path.
func (s *Shape) At(path []string) *Shape {
	for _, seg := range path {
		switch s.Kind {
		case ShapeObject:
			s = s.Fields[seg]
		case ShapeNames:
			s = s.Elem
		default:
			return nil
		}
		if s == nil {
			return nil
		}
	}
	return s
}

// Under returns the figures at path and under it (path itself, and path.*), sorted by path.
func (f Figures) Under(path string) []string {
	var out []string
	for k := range f {
		if k == path || strings.HasPrefix(k, path+".") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
