package ruleset

import "slices"

// info summarises the flag for lint and listings.
func (f *flagSpec) info(envs []string) FlagInfo {
	out := FlagInfo{
		Key:          f.Key,
		Type:         f.Type,
		Description:  f.Description,
		Owner:        f.Owner,
		Tags:         slices.Clone(f.Tags),
		Expires:      f.Expires,
		At:           f.at.loc(""),
		Segments:     f.segmentRefs(),
		Environments: make([]EnvInfo, len(envs)),
	}
	for i, name := range envs {
		compiled := f.compile(name)
		e := f.env(name)
		out.Environments[i] = EnvInfo{
			Name:      name,
			Declared:  e != nil,
			Enabled:   compiled.Enabled,
			Scheduled: len(compiled.Schedule) > 0,
			ServesAll: servesAll(&compiled),
		}
	}
	return out
}

// servesAll returns the variation every context gets from fl, or "" when
// that depends on the context or on time.
func servesAll(fl *Flag) string {
	if len(fl.Schedule) > 0 {
		return ""
	}
	if !fl.Enabled {
		return fl.OffVariation
	}
	only := single(fl.Default)
	for _, r := range fl.Rules {
		if single(r.Serve) != only {
			return ""
		}
	}
	return only
}

// single returns the one variation s serves to everyone, or "".
func single(s Serve) string {
	switch {
	case s.Variation != "":
		return s.Variation
	case s.Progressive != nil:
		return ""
	}
	only := ""
	for _, w := range s.Split {
		if w.Weight == Buckets {
			only = w.Variation
		}
	}
	return only
}
