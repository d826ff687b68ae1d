package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ixlb/ixlb/core"
)

// Options set on the fly are checked against the engine's option registry (core.Opt)
// before they reach the engine: a value out of range, or an option ixlb does not read, is
// refused with the valid values, instead of being accepted and silently ignored.

// appType is the type of a named application ("" when unknown).
func appType(s *core.Snapshot, app string) core.AppType {
	for _, a := range s.Apps {
		if a.Name == app {
			return a.Type
		}
	}
	return ""
}

// specName spells a spec's section and option for an application of the scenario: the
// placeholders become the names they stand for.
func specNames(s *core.Snapshot, o core.Opt) (sections, options []string) {
	sp := o.Spec()
	sec := []string{sp.Section}
	if sp.Section == core.SectionIS {
		sec = sec[:0]
		for _, is := range s.ISes {
			sec = append(sec, is.Name)
		}
	}
	opt := []string{sp.Name}
	if sp.Name == core.NameURS {
		opt = opt[:0]
		for _, u := range s.URS {
			opt = append(opt, u.Name)
		}
	}
	if sp.Annex {
		for i := range sec {
			sec[i] = core.AnnexSection(sec[i])
		}
	}
	return sec, opt
}

// specsOf are the option specs of an application (Options tab, then Annex).
func specsOf(t core.AppType) []core.Opt {
	return append(core.OptionsOf(t, false), core.OptionsOf(t, true)...)
}

// sectionsFor suggests the option sections of an application, as the Configuration Layer has
// them (Annex sections written annex:NAME).
func sectionsFor(s *core.Snapshot, app string) []string {
	var out []string
	for _, sp := range specsOf(appType(s, app)) {
		secs, _ := specNames(s, sp)
		for _, sec := range secs {
			if !slices.Contains(out, sec) {
				out = append(out, sec)
			}
		}
	}
	return out
}

// optionsFor suggests the options of a section of an application.
func optionsFor(s *core.Snapshot, app, section string) []string {
	var out []string
	for _, sp := range specsOf(appType(s, app)) {
		secs, opts := specNames(s, sp)
		if slices.Contains(secs, section) {
			out = append(out, opts...)
		}
	}
	return out
}

// lookupSpec finds the spec of app/section/option in the scenario.
func lookupSpec(s *core.Snapshot, app, section, option string) (core.Opt, bool) {
	t := appType(s, app)
	sec, annex := core.CutAnnex(section)
	isName := func(n string) bool {
		return slices.ContainsFunc(s.ISes, func(v core.ISView) bool { return v.Name == n })
	}
	ursName := func(n string) bool {
		return slices.ContainsFunc(s.URS, func(v core.URSView) bool { return v.Name == n })
	}
	return core.LookupOption(t, annex, sec, option, isName, ursName)
}

// valuesFor suggests values of an option: true/false for booleans, else the default.
func valuesFor(s *core.Snapshot, app, section, option string) []string {
	sp, ok := lookupSpec(s, app, section, option)
	if !ok {
		return nil
	}
	if v := sp.Values(); v != nil {
		return v
	}
	if d := sp.Spec().Default; d != "" {
		return []string{d}
	}
	return nil
}

// checkOption says why app/section/option = value cannot be set ("" when it can).
func (w world) checkOption(app, section, option, value string) string {
	s := w.s
	if s == nil {
		return ""
	}
	t := appType(s, app)
	if t == "" {
		return w.unknownApp(app)
	}
	sp, ok := lookupSpec(s, app, section, option)
	if !ok {
		var known []string
		for _, sp := range specsOf(t) {
			secs, opts := specNames(s, sp)
			for _, sec := range secs {
				for _, o := range opts {
					known = append(known, sec+" "+o)
				}
			}
		}
		if len(known) == 0 {
			return fmt.Sprintf("ixlb reads no options of %s (%s)", article(string(t)), app)
		}
		return fmt.Sprintf("ixlb does not read %s/%s on %s%s; it reads: %s", section, option, article(string(t)),
			core.DidYouMean(section+" "+option, known), strings.Join(known, ", "))
	}
	if err := sp.Validate(value); err != nil {
		msg := err.Error()
		if doc := sp.Spec().Doc; doc != "" {
			msg += " (" + option + ": " + doc + ")"
		}
		return msg
	}
	return ""
}
