// What other programs send the host (a plugin's answer, a runner's protocol lines, JSON fields of
// the wrong type) is read without exceptions: the regression cases of the fuzz targets (fuzz/).
#include "dubhost/host/backend_answer.hpp"
#include "dubhost/host/plugin_manifest.hpp"
#include "dubhost/packs/pack_manifest.hpp"
#include "runner_conversation.hpp"

#include <dubhost/support/json_fields.hpp>

#include <boost/test/unit_test.hpp>

using nlohmann::json;

BOOST_AUTO_TEST_SUITE(untrusted_documents)

BOOST_AUTO_TEST_CASE(json_fields_of_the_wrong_type_read_as_the_fallback) {
    const json document = {{"text", 5}, {"number", "x"}, {"integer", 2.5}, {"huge", 18446744073709551615ull}, {"ok", "yes"}};
    BOOST_TEST(dubhost::text_field(document, "text", "fallback") == "fallback");
    BOOST_TEST(dubhost::text_field(document, "ok") == "yes");
    BOOST_TEST(dubhost::number_field(document, "number", 1.5) == 1.5);
    BOOST_TEST(dubhost::integer_field(document, "integer", 7) == 7);
    BOOST_TEST(dubhost::integer_field(document, "huge", 7) == 7);
    BOOST_TEST(dubhost::text_field(json::array({1, 2}), "text", "fallback") == "fallback");
}

BOOST_AUTO_TEST_CASE(a_backend_answer_with_odd_error_fields_is_still_an_error_with_text) {
    const auto numeric_code =
        dubhost::read_backend_answer(DUBHOST_STATUS_ERROR, R"({"code": 5, "message": ["a"]})", "backend 'x' run");
    BOOST_TEST(!numeric_code.ok());
    BOOST_TEST(numeric_code.error_code("job-failed") == "job-failed");
    BOOST_TEST(numeric_code.error_message() == "unknown error");
    const auto no_message = dubhost::read_backend_answer(DUBHOST_STATUS_ERROR, R"({"code": "disk-full"})", "backend 'x' run");
    BOOST_TEST(no_message.error_code("job-failed") == "disk-full");
    BOOST_TEST(no_message.error_message() == "backend 'x' run failed with status 1");
    const auto not_an_object = dubhost::read_backend_answer(DUBHOST_STATUS_OK, "[1]", "backend 'x' run");
    BOOST_TEST(not_an_object.status == DUBHOST_STATUS_ERROR);
    BOOST_TEST(not_an_object.error_code("") == "malformed-response");
}

BOOST_AUTO_TEST_CASE(runner_lines_with_fields_of_the_wrong_type_do_not_throw) {
    std::vector<std::string> logged;
    std::vector<double> fractions;
    dubhost::packs::RunnerEvents events;
    events.log = [&](dubhost_log_level, const std::string &message) { logged.push_back(message); };
    events.progress = [&](double fraction, const std::string &) { fractions.push_back(fraction); };
    dubhost::packs::RunnerConversation conversation(events);
    conversation.receive(R"({"protocol": 1, "type": "log", "level": 5, "message": {"a": 1}})");
    conversation.receive(R"({"protocol": 1, "type": "progress", "fraction": "half"})");
    conversation.receive(R"({"protocol": 1, "type": "progress", "fraction": 7})");
    conversation.receive(R"({"protocol": 1, "type": "error", "kind": 3, "code": null, "message": "no model"})");
    BOOST_TEST(!conversation.broken());
    BOOST_TEST(logged == std::vector<std::string>{""});
    BOOST_TEST(fractions == std::vector<double>{1.0});
    BOOST_TEST_REQUIRE(conversation.error().has_value());
    BOOST_TEST(conversation.error()->status == DUBHOST_STATUS_ERROR);
    BOOST_TEST(conversation.error()->code == "runner-error");
    BOOST_TEST(conversation.error()->message == "no model");
    conversation.receive("not json");
    BOOST_TEST(conversation.broken());
}

BOOST_AUTO_TEST_CASE(a_pack_manifest_with_a_python_version_too_long_to_be_one_is_refused) {
    const json pack = {{"id", "x"},
                       {"python", {{"min", "3.66666666666666666666"}, {"max", "3.12"}}},
                       {"candidates", json::array({{{"requirements", json::array({"x"})}}})}};
    try {
        dubhost::packs::parse_pack_manifest(pack, "x/pack.json");
        BOOST_FAIL("the manifest was accepted");
    } catch (const dubhost::sdk::CallError &error) {
        BOOST_TEST(error.code() == "bad-pack-manifest");
        BOOST_TEST(std::string(error.what()).find("python versions are written 3.N") != std::string::npos, error.what());
    }
}

// Found by fuzz_plugin_manifest: a number no int holds, converted by nlohmann's get<int>, which is
// undefined behaviour for such a double (fuzz/seeds/plugin_manifest/regression-priority-overflow.json).
BOOST_AUTO_TEST_CASE(whole_numbers_out_of_range_or_with_a_fraction_are_refused_not_converted) {
    BOOST_TEST(dubhost::whole_number(json(2e122)).has_value() == false);
    BOOST_TEST(dubhost::whole_number(json(-3.0e24)).has_value() == false);
    BOOST_TEST(dubhost::whole_number(json(1.5)).has_value() == false);
    BOOST_TEST(dubhost::whole_number(json("7")).has_value() == false);
    BOOST_TEST(dubhost::whole_number(json(18446744073709551615u)).has_value() == false);
    BOOST_TEST(*dubhost::whole_number(json(-7)) == -7);
    BOOST_TEST(dubhost::whole_number(json(11), 0, 10).has_value() == false);
    BOOST_TEST(dubhost::integer_field(json{{"n", 2e122}}, "n", 3) == 3);

    json manifest = {{"id", "x"},
                     {"version", "1"},
                     {"abi", {{"major", 1}, {"minor", 0}}},
                     {"library", "x.so"},
                     {"backends", {{{"id", "b"}, {"capability", "tts"}, {"priority", 2e122}}}}};
    auto refusal = [](const json &document) {
        try {
            dubhost::parse_plugin_manifest(document.dump());
        } catch (const std::invalid_argument &error) {
            return std::string(error.what());
        }
        return std::string("accepted");
    };
    BOOST_TEST(refusal(manifest).find("backend b: priority must be a whole number") != std::string::npos, refusal(manifest));
    manifest["backends"][0]["priority"] = 100;
    BOOST_TEST(refusal(manifest) == "accepted");
    manifest["abi"].erase("major");
    BOOST_TEST(refusal(manifest) == "plugin.json: abi.major is missing");
    manifest["abi"]["major"] = -1;
    BOOST_TEST(refusal(manifest).find("abi.major must be a whole number from 0") != std::string::npos, refusal(manifest));
}

BOOST_AUTO_TEST_SUITE_END()
