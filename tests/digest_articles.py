"""Three short articles for the digest tests: two on one story (whose passenger counts
disagree: 180 vs 186) and one on another."""

PLANE_A = (
    "Máy bay hạ cánh khẩn cấp tại Nội Bài\n"
    "Sáng 12/3, một máy bay của hãng Vietjet chở 180 hành khách đã hạ cánh khẩn cấp xuống sân bay Nội Bài "
    "do sự cố động cơ. Tất cả hành khách đều an toàn. Cục Hàng không Việt Nam đã yêu cầu hãng báo cáo "
    "nguyên nhân sự cố. Chuyến bay VJ123 khởi hành từ TP.HCM lúc 6 giờ sáng."
)
PLANE_B = (
    "Sự cố động cơ, máy bay Vietjet phải quay đầu\n"
    "Chuyến bay VJ123 của Vietjet chở 186 hành khách từ TP.HCM đi Hà Nội đã phải hạ cánh khẩn cấp xuống "
    "Nội Bài sáng 12/3 vì động cơ gặp trục trặc. Không ai bị thương trong sự cố. Cục Hàng không đã vào cuộc "
    "điều tra. Hãng Vietjet cho biết đã bố trí máy bay khác cho hành khách."
)
FUEL = (
    "Giá xăng giảm mạnh từ chiều nay\n"
    "Liên Bộ Công Thương - Tài chính quyết định giảm giá xăng RON 95 thêm 800 đồng mỗi lít từ 15 giờ chiều "
    "12/3. Đây là lần giảm thứ ba liên tiếp. Giá dầu diesel cũng giảm 500 đồng mỗi lít. Quỹ bình ổn giá "
    "tiếp tục không được trích lập."
)
