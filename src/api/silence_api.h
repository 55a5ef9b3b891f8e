// The silence endpoints of the HTTP API, as Alertmanager 0.25 serves them (JSON shapes, key order,
// status codes and messages observed on the real daemon), plus 0.34's active/pending/expired
// filters on GET /api/v2/silences:
//   GET    /api/v2/silences            filter=<matcher>... active= pending= expired=
//   POST   /api/v2/silences            create, or update when "id" is set → {"silenceID": "..."}
//   GET    /api/v2/silence/{silenceID} 404 (empty) for an unknown id, 422 for a non-UUID
//   DELETE /api/v2/silence/{silenceID} expires it; 404 (empty) for an unknown id — the 0.26+
//                                      behaviour, deliberately (0.25 answered 500 "silence not
//                                      found")
//   GET/POST /api/v1/silences, GET/DELETE /api/v1/silence/{sid}: 0.25's v1 envelope
//                                      {"status":"success","data":...} with its CORS headers.
// POST and DELETE run on the server's blocking pool: they return only after the change is
// fdatasync'ed (see silence/store.h), so an HTTP 200 means the change survives a crash.
// Thread-safety: handlers run concurrently; all state is in the Store, which is thread-safe.
#pragma once

namespace am::silence {
class Store;
}

namespace am::api {

class HttpServer;

struct SilenceApiOptions {
  // Register the /api/v1 silence routes (0.25 had them; 0.27+ answers 410 for all of /api/v1).
  bool v1 = true;
};

// Registers the routes above on `server`. REQUIRES: before server.Start(); `store` outlives the
// server.
void RegisterSilenceRoutes(HttpServer& server, silence::Store& store,
                           SilenceApiOptions options = {});

}  // namespace am::api
