#include <dubhost/support/error.hpp>
#include "dubhost/host/sha256.hpp"

#include "support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(sha256)

// Vectors from FIPS 180-4 examples and NIST's byte-oriented test set.
BOOST_AUTO_TEST_CASE(known_vectors) {
    BOOST_TEST(dubhost::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(dubhost::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(dubhost::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

BOOST_AUTO_TEST_CASE(million_a_in_uneven_chunks) {
    dubhost::Sha256 hash;
    const std::string chunk(997, 'a');
    std::size_t left = 1000000;
    while (left > 0) {
        const std::size_t take = std::min(left, chunk.size());
        hash.update(chunk.data(), take);
        left -= take;
    }
    BOOST_TEST(hash.finish_hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

BOOST_AUTO_TEST_CASE(file_hash_matches_text_hash_and_missing_file_is_a_user_error) {
    dubhost::test::TempDir dir;
    dubhost::test::write_file(dir / "a.bin", "abc");
    BOOST_TEST(dubhost::sha256_file_hex(dir / "a.bin") == dubhost::sha256_hex("abc"));
    BOOST_CHECK_THROW(dubhost::sha256_file_hex(dir / "missing.bin"), dubhost::Failure);
}

BOOST_AUTO_TEST_SUITE_END()
