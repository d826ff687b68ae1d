package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ixlb/ixlb/core"
)

// The options ixlb reads, for editors (the JSON Schema) and readers (the table of
// docs/scenarios.md), both written from core's registry: an option added there appears in both
// when they are regenerated (go generate ./scenarios), and TestGeneratedFiles fails until they are.

func tabName(annex bool) string {
	if annex {
		return "annex"
	}
	return "options"
}

// optionDefName is the schema definition of the options an application type reads on a tab.
func optionDefName(t core.AppType, annex bool) string { return tabName(annex) + "." + string(t) }

// optionDefinitions are the schema's definitions of every tab that has options ixlb reads.
func optionDefinitions() jsonObj {
	var defs jsonObj
	for _, t := range core.AppTypes {
		for _, annex := range []bool{false, true} {
			opts := core.OptionsOf(t, annex)
			if len(opts) == 0 {
				continue
			}
			tab := "Options tab"
			if annex {
				tab = "Annex"
			}
			def := obj("description", fmt.Sprintf("The options ixlb reads on %s's %s (others are kept and ignored).", withArticle(string(t)), tab),
				"type", []string{"object", "null"})
			var props jsonObj
			for _, section := range sectionsOf(opts) {
				s := sectionSchema(opts, section)
				if section == core.SectionIS {
					def = append(def, jsonMember{"additionalProperties", s})
				} else {
					props = append(props, jsonMember{section, s})
				}
			}
			if props != nil {
				def = append(def, jsonMember{"properties", props})
			}
			defs = append(defs, jsonMember{optionDefName(t, annex), def})
		}
	}
	return defs
}

// sectionsOf lists the sections of options, in the registry's order.
func sectionsOf(opts []core.Opt) []string {
	var out []string
	for _, o := range opts {
		if s := o.Spec().Section; len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// sectionSchema describes a section's options; a section named after an Interaction Server
// (core.SectionIS) says so.
func sectionSchema(opts []core.Opt, section string) jsonObj {
	s := obj()
	if section == core.SectionIS {
		s = append(s, jsonMember{"description", "A section named after the Interaction Server (a section named otherwise is ignored)."})
	}
	s = append(s, jsonMember{"type", []string{"object", "null"}})
	var props jsonObj
	for _, o := range opts {
		sp := o.Spec()
		if sp.Section != section {
			continue
		}
		if sp.Name == core.NameURS {
			s = append(s, jsonMember{"additionalProperties", optionSchema(o)})
			continue
		}
		props = append(props, jsonMember{sp.Name, optionSchema(o)})
	}
	if props != nil {
		s = append(s, jsonMember{"properties", props})
	}
	return s
}

// optionSchema describes one option. Any scalar loads: a value ixlb cannot read is lint's finding
// (bad-option-value), and the schema never flags a file that loads.
func optionSchema(o core.Opt) jsonObj {
	s := obj("description", optionText(o), "$ref", "#/$defs/scalar")
	if d, ok := typedDefault(o); ok {
		s = append(s, jsonMember{"default", d})
	}
	return s
}

// optionText is an option's description: what it does, its values and its default.
func optionText(o core.Opt) string {
	sp := o.Spec()
	text := sentence(sp.Doc)
	if sp.Name == core.NameURS {
		text = "One option per URS, named after it: " + sp.Doc + "."
	}
	text += " Values: " + o.Range()
	if d := defaultText(o); d != "" {
		text += "; default " + d
	}
	return text + "."
}

// defaultText is an option's default as a reader wants it: 30 (30s) for a duration in seconds.
func defaultText(o core.Opt) string {
	sp := o.Spec()
	switch {
	case sp.Default == "":
		return ""
	case sp.Kind == core.KindDuration:
		return fmt.Sprintf("%s (%s)", sp.Default, core.FormatDuration(o.Duration("", false)))
	}
	return sp.Default
}

// typedDefault is an option's default as JSON: a boolean or a number in the option's unit.
func typedDefault(o core.Opt) (any, bool) {
	sp := o.Spec()
	if sp.Default == "" {
		return nil, false
	}
	if sp.Kind == core.KindBool {
		return o.Bool("", false), true
	}
	n, err := strconv.ParseFloat(sp.Default, 64)
	if err != nil {
		panic(fmt.Sprintf("option %s: default %q is no number", o, sp.Default)) // caught by any test
	}
	return n, true
}

// sentence starts s with a capital letter.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:] + "."
}

// OptionsTable is the table of the options ixlb reads, in Markdown, for docs/scenarios.md.
func OptionsTable() string {
	var b strings.Builder
	b.WriteString("| Application | Where | Option | Values | Default | What it does |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, o := range core.AllOptions() {
		sp := o.Spec()
		where := "Options, `" + sp.Section + "`"
		if sp.Annex {
			where = "Annex, `" + sp.Section + "`"
		}
		if sp.Section == core.SectionIS {
			where = "Annex, a section named after the Interaction Server"
		}
		name := "`" + sp.Name + "`"
		if sp.Name == core.NameURS {
			name = "one per URS, named after it"
		}
		def := defaultText(o)
		if def == "" {
			def = "none"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", sp.App, where, name, o.Range(), def, sentence(sp.Doc))
	}
	return b.String()
}
