/* Example dubhost plugin in plain C11: proves the C ABI in dubhost/plugin.h is enough on its own.
 *
 * A "diarize" backend for recordings with one voice (a lecture, a narration): every segment of the
 * track gets the same speaker label, and segments closer than merge_gap_ms form one turn. It skips
 * the clustering a real diarizer does, so it can never split one narrator into two voices.
 *
 * It shows, without the C++ helpers: a hand-written descriptor, the parameter schema, a status call,
 * reading the job request (cJSON), progress, cancellation, outputs written through a temporary name
 * and renamed when complete, errors with hints, and responses released by the plugin's own free. */
#define _POSIX_C_SOURCE 200809L

#include <dubhost/plugin.h>

#include "dubhost_manifest.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Must say what plugin.def.json says: the host compares the two when it loads the library. */
#define SINGLE_SPEAKER_PARAMETERS                                                                                        \
    "[{\"name\": \"speaker\", \"type\": \"string\", \"default\": \"S1\", \"help\": \"The label every segment gets\"},"   \
    " {\"name\": \"merge_gap_ms\", \"type\": \"integer\", \"default\": 300, \"help\": \"Segments closer than this form " \
    "one turn\"}]"

/* ---- responses: the plugin allocates, the host copies, then calls release exactly once ---- */

static void release_text(dubhost_response *response) {
    free(response->plugin_data);
    response->plugin_data = NULL;
    response->json = NULL;
}

/* Hands `document` to the host as the response (and deletes it). */
static int32_t answer(dubhost_response *response, int32_t status, cJSON *document) {
    char *text = document ? cJSON_PrintUnformatted(document) : NULL;
    cJSON_Delete(document);
    if (text == NULL) {
        response->json =
            "{\"code\": \"out-of-memory\", \"message\": \"single-speaker: out of memory\", \"hint\": \"free "
            "some memory and run the job again\"}";
        return DUBHOST_STATUS_ERROR;
    }
    response->json = text;
    response->plugin_data = text;
    response->release = release_text;
    return status;
}

static int32_t fail(dubhost_response *response, int32_t status, const char *code, const char *message, const char *hint) {
    cJSON *error = cJSON_CreateObject();
    if (error != NULL) {
        cJSON_AddStringToObject(error, "code", code);
        cJSON_AddStringToObject(error, "message", message);
        cJSON_AddStringToObject(error, "hint", hint);
    }
    return answer(response, status, error);
}

/* ---- files: written to PATH.part, flushed, then renamed, so a reader never sees half a file ---- */

static int write_atomically(const char *path, const char *text) {
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.part", path) >= (int)sizeof temporary) return ENAMETOOLONG;
    FILE *file = fopen(temporary, "wb");
    if (file == NULL) return errno;
    const size_t length = strlen(text);
    int error = fwrite(text, 1, length, file) == length ? 0 : errno;
    if (fflush(file) != 0 && error == 0) error = errno;
    if (fsync(fileno(file)) != 0 && error == 0) error = errno;
    if (fclose(file) != 0 && error == 0) error = errno;
    if (error == 0 && rename(temporary, path) != 0) error = errno;
    if (error != 0) remove(temporary);
    return error;
}

static int32_t write_document(dubhost_response *response, const char *path, cJSON *document) {
    char *text = cJSON_Print(document);
    if (text == NULL) return fail(response, DUBHOST_STATUS_ERROR, "out-of-memory", "cannot format the output", "run again");
    const int error = write_atomically(path, text);
    free(text);
    if (error == 0) return DUBHOST_STATUS_OK;
    char message[4352];
    snprintf(message, sizeof message, "cannot write %s: %s", path, strerror(error));
    return fail(response, DUBHOST_STATUS_ERROR, error == ENOSPC ? "disk-full" : "write-failed", message,
                "free disk space or fix the folder's permissions, then run the job again");
}

/* ---- the backend ---- */

static int32_t single_speaker_status(const dubhost_backend *backend, const dubhost_host_services *host, const char *request_json,
                                     dubhost_response *response) {
    (void)backend;
    (void)host;
    (void)request_json;
    cJSON *status = cJSON_CreateObject();
    cJSON *notes = cJSON_CreateArray();
    if (status == NULL || notes == NULL) {
        cJSON_Delete(notes);
        return answer(response, DUBHOST_STATUS_ERROR, status);
    }
    cJSON_AddBoolToObject(status, "installed", 1);
    cJSON_AddStringToObject(status, "version", "1.0.0");
    cJSON_AddItemToObject(status, "missing", cJSON_CreateArray());
    cJSON_AddNumberToObject(status, "disk_bytes", 0);
    cJSON_AddItemToArray(notes, cJSON_CreateString("example in C: labels every segment with one speaker (for monologues)"));
    cJSON_AddItemToObject(status, "notes", notes);
    return answer(response, DUBHOST_STATUS_OK, status);
}

static const char *string_member(const cJSON *object, const char *name, const char *fallback) {
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(value) ? value->valuestring : fallback;
}

/* Appends {start, end, speaker} to turns, or extends the last turn when this one starts within gap. */
static void add_turn(cJSON *turns, double start, double end, const char *speaker, double gap) {
    cJSON *last = cJSON_GetArrayItem(turns, cJSON_GetArraySize(turns) - 1);
    if (last != NULL) {
        cJSON *last_end = cJSON_GetObjectItemCaseSensitive(last, "end");
        if (start - last_end->valuedouble <= gap) {
            if (end > last_end->valuedouble) cJSON_SetNumberValue(last_end, end);
            return;
        }
    }
    cJSON *turn = cJSON_CreateObject();
    cJSON_AddNumberToObject(turn, "start", start);
    cJSON_AddNumberToObject(turn, "end", end);
    cJSON_AddStringToObject(turn, "speaker", speaker);
    cJSON_AddItemToArray(turns, turn);
}

/* job: {item_id, params: {speaker, merge_gap_ms}, inputs: {track: {segments: [{start, end, ...}]}},
 *       outputs: {diarization: PATH}}; writes PATH and diarized_track.json beside it. */
static int32_t label_track(const dubhost_host_services *host, cJSON *job, dubhost_response *response) {
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(job, "params");
    const char *speaker = string_member(params, "speaker", "S1");
    const cJSON *gap_value = cJSON_GetObjectItemCaseSensitive(params, "merge_gap_ms");
    const double gap = cJSON_IsNumber(gap_value) ? gap_value->valuedouble : 300.0;
    if (speaker[0] == '\0' || strlen(speaker) > 64)
        return fail(response, DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "speaker must be 1 to 64 characters",
                    "pass --param speaker=S1");
    if (gap < 0)
        return fail(response, DUBHOST_STATUS_BAD_REQUEST, "bad-parameter", "merge_gap_ms must not be negative",
                    "pass --param merge_gap_ms=300");

    cJSON *track = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(job, "inputs"), "track");
    cJSON *segments = cJSON_GetObjectItemCaseSensitive(track, "segments");
    const char *output = string_member(cJSON_GetObjectItemCaseSensitive(job, "outputs"), "diarization", NULL);
    if (!cJSON_IsArray(segments) || output == NULL)
        return fail(response, DUBHOST_STATUS_BAD_REQUEST, "bad-request",
                    "the job has no inputs.track.segments or no outputs.diarization",
                    "run it through dubhost: `dubhost run diarize ITEM --backend single-speaker`");

    cJSON *turns = cJSON_CreateArray();
    const int count = cJSON_GetArraySize(segments);
    int index = 0;
    cJSON *segment = NULL;
    cJSON_ArrayForEach(segment, segments) {
        if (host->is_cancelled(host)) {
            cJSON_Delete(turns);
            return fail(response, DUBHOST_STATUS_CANCELLED, "cancelled", "cancelled before the track was labelled",
                        "run the job again");
        }
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(segment, "start");
        const cJSON *end = cJSON_GetObjectItemCaseSensitive(segment, "end");
        if (!cJSON_IsNumber(start) || !cJSON_IsNumber(end) || end->valuedouble < start->valuedouble) {
            cJSON_Delete(turns);
            return fail(response, DUBHOST_STATUS_BAD_REQUEST, "bad-segment", "a segment has no valid start/end",
                        "fix the track's times with `dubhost tracks ITEM` and import it again");
        }
        add_turn(turns, start->valuedouble, end->valuedouble, speaker, gap);
        cJSON *label = cJSON_CreateString(speaker);
        if (cJSON_HasObjectItem(segment, "speaker"))
            cJSON_ReplaceItemInObjectCaseSensitive(segment, "speaker", label);
        else
            cJSON_AddItemToObject(segment, "speaker", label);
        if (++index % 64 == 0 || index == count) host->progress(host, 0.9 * index / count, "labelling segments");
    }

    cJSON *diarization = cJSON_CreateObject();
    cJSON *speakers = cJSON_CreateArray();
    cJSON_AddItemToArray(speakers, cJSON_CreateString(speaker));
    cJSON_AddStringToObject(diarization, "item_id", string_member(job, "item_id", ""));
    cJSON_AddStringToObject(diarization, "backend", "single-speaker");
    cJSON_AddItemToObject(diarization, "speakers", speakers);
    cJSON_AddItemToObject(diarization, "turns", turns);

    /* diarized_track.json goes beside the diarization file (the folder the host made for the job). */
    char track_path[4096];
    const char *slash = strrchr(output, '/');
    const int folder_length = slash ? (int)(slash - output) : 1;
    snprintf(track_path, sizeof track_path, "%.*s/diarized_track.json", folder_length, slash ? output : ".");
    if (slash != NULL) {
        char folder[4096];
        snprintf(folder, sizeof folder, "%.*s", folder_length, output);
        mkdir(folder, 0777); /* usually there already; a real failure shows when the write fails */
    }
    int32_t status = write_document(response, output, diarization);
    cJSON_Delete(diarization);
    if (status == DUBHOST_STATUS_OK) status = write_document(response, track_path, track);
    if (status != DUBHOST_STATUS_OK) return status;

    char line[128];
    snprintf(line, sizeof line, "labelled %d segments as %.64s", count, speaker);
    host->log(host, DUBHOST_LOG_INFO, line);
    host->progress(host, 1.0, "done");
    cJSON *result = cJSON_CreateObject();
    cJSON *outputs = cJSON_AddObjectToObject(result, "outputs");
    cJSON_AddStringToObject(outputs, "diarization", output);
    cJSON_AddStringToObject(outputs, "track", track_path);
    cJSON_AddNumberToObject(result, "speakers", 1);
    return answer(response, DUBHOST_STATUS_OK, result);
}

static int32_t single_speaker_run(const dubhost_backend *backend, const dubhost_host_services *host, const char *request_json,
                                  dubhost_response *response) {
    (void)backend;
    cJSON *job = cJSON_Parse(request_json);
    if (job == NULL)
        return fail(response, DUBHOST_STATUS_BAD_REQUEST, "bad-request", "the job request is not JSON",
                    "run it through dubhost: `dubhost run diarize ITEM --backend single-speaker`");
    const int32_t status = label_track(host, job, response);
    cJSON_Delete(job);
    return status;
}

static const dubhost_backend single_speaker_backend = {
    .struct_size = sizeof(dubhost_backend),
    .id = "single-speaker",
    .capability = "diarize",
    .capability_version = 1,
    .version = "1.0.0",
    .priority = -100, /* never chosen unless asked for: --backend diarize=single-speaker */
    .parameters_json = SINGLE_SPEAKER_PARAMETERS,
    .consumes_json = "[\"subtitle_track\"]",
    .produces_json = "[\"diarization\", \"subtitle_track\"]",
    .status = single_speaker_status,
    .install = NULL, /* nothing to install */
    .run = single_speaker_run,
    .backend_data = NULL,
};

static const dubhost_backend *const backends[] = {&single_speaker_backend};

static const dubhost_plugin_descriptor descriptor = {
    .abi = {DUBHOST_ABI_MAJOR, DUBHOST_ABI_MINOR},
    .struct_size = sizeof(dubhost_plugin_descriptor),
    .id = "org.example.single-speaker",
    .name = "Example in C: one speaker for the whole track",
    .version = "1.0.0",
    .runtime = "native",
    .manifest_json = DUBHOST_MANIFEST_JSON,
    .backend_count = 1,
    .backends = backends,
    .required_host_extensions = NULL,
    .init = NULL,
    .shutdown = NULL,
};

DUBHOST_EXPORT const dubhost_plugin_descriptor *dubhost_plugin_entry(void) { return &descriptor; }
