#include "silence/entry.h"

#include "core/error.h"
#include "silence/validate.h"

namespace am::silence {

EntryPtr MakeEntry(MeshSilence mesh) {
  auto e = std::make_shared<Entry>();
  e->mesh = std::move(mesh);
  try {
    for (const auto& set : e->mesh.silence.matcher_sets) {
      Matchers& ms = e->compiled.emplace_back();
      ms.reserve(set.size());
      for (const auto& m : set) ms.push_back(Compile(m));
    }
  } catch (const ParseError&) {
    e->compiled.clear();
    e->compile_error = true;
  }
  return e;
}

}  // namespace am::silence
