package main

import (
	"fmt"
	"io/fs"
	"path"

	"github.com/cairnflags/cairn/ruleset"
)

// flagRepo is the flag files as a working copy of the git repository would
// hold them, edited in memory the way `cairn flag rollout` edits files.
type flagRepo struct {
	files map[string][]byte
}

func newFlagRepo(fsys fs.FS, dir string) (*flagRepo, error) {
	r := &flagRepo{files: map[string][]byte{}}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || !ruleset.IsFlagFileName(e.Name()) {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		r.files[e.Name()] = data
	}
	return r, nil
}

// project validates the files together, as `cairn validate` does.
func (r *flagRepo) project() (*ruleset.Project, error) {
	var parsed []*ruleset.FlagFile
	for name, data := range r.files {
		ff, err := ruleset.ParseFile(name, data)
		if err != nil {
			return nil, err
		}
		parsed = append(parsed, ff)
	}
	return ruleset.NewProject(parsed...)
}

// rollout gives variation to percent of users of a two-variation flag in
// env, everyone else the other variation; the file keeps its comments.
func (r *flagRepo) rollout(flag, env, variation string, percent int) error {
	p, err := r.project()
	if err != nil {
		return err
	}
	info, ok := p.Flag(flag)
	if !ok {
		return fmt.Errorf("no flag %s", flag)
	}
	doc, err := p.Compile(env, ruleset.Source{})
	if err != nil {
		return err
	}
	var split []ruleset.Weighted
	for _, v := range doc.Flags[flag].Variations {
		w := ruleset.Buckets - percent*ruleset.Buckets/100
		if v.Key == variation {
			w = percent * ruleset.Buckets / 100
		}
		split = append(split, ruleset.Weighted{Variation: v.Key, Weight: w})
	}
	name := info.At.File
	edited, err := ruleset.SetDefaultServe(name, r.files[name], flag, env, ruleset.Serve{Split: split})
	if err != nil {
		return err
	}
	r.files[name] = edited
	return nil
}
