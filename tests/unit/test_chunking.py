import pytest

from summarizer.chunking import chunk_sentences


def count_words(texts):
    return [len(t.split()) for t in texts]


def test_chunks_cover_every_sentence_in_order_and_fit() -> None:
    sentences = [f"câu số {i} " + "chữ " * (i % 7) for i in range(50)]
    chunks = chunk_sentences(sentences, max_tokens=20, count_tokens=count_words)
    covered = [i for c in chunks for i in range(c.first, c.last + 1)]
    assert covered == list(range(50))
    assert all(count_words([c.text])[0] <= 20 for c in chunks)
    assert " ".join(c.text for c in chunks) == " ".join(sentences)


def test_a_sentence_longer_than_the_budget_is_split_not_dropped() -> None:
    long = ", ".join(f"vế {i} có bốn chữ" for i in range(20))  # 100 words
    chunks = chunk_sentences(["Mở đầu.", long, "Kết thúc."], max_tokens=12, count_tokens=count_words)
    pieces = [c for c in chunks if c.split]
    assert pieces and all(p.first == p.last == 1 for p in pieces)
    assert " ".join(p.text for p in pieces).split() == long.split()
    assert all(c.n_tokens <= 12 for c in chunks)


def test_single_unsplittable_word_is_cut_by_characters() -> None:
    def count_chars(texts):
        return [len(t) for t in texts]

    chunks = chunk_sentences(["x" * 50], max_tokens=10, count_tokens=count_chars)
    assert "".join(c.text for c in chunks) == "x" * 50
    assert all(len(c.text) <= 10 for c in chunks)


def test_empty_and_invalid() -> None:
    assert chunk_sentences([], max_tokens=10, count_tokens=count_words) == []
    with pytest.raises(ValueError, match="positive"):
        chunk_sentences(["a"], max_tokens=0, count_tokens=count_words)
