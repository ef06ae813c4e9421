"""The commonest syllables of Vietnamese news: too frequent to tell one story from another.

The 499 syllables whose IDF over the VietNews training articles is below 3.0 (they occur in
more than about 5% of the articles), taken from ext-vi's `idf.json`. `summarizer.grouping`
leaves them (and bigrams of two of them) out of its article vectors.
"""

STOP_SYLLABLES = frozenset(
    """
1 10 11 12 2 20 2017 2018 3 30 4 5 6 7 8 9 ai an anh ban bao biến biết biểu biệt bà bàn bán báo bên bình bạn
bản bảo bất bắc bắt bằng bị bỏ bố bộ bởi cao chi chia chiến chiều cho chung chuyên chuyển chuyện chuẩn chí
chính chúng chưa chạy chất chế chỉ chủ chức chứng con cuối cuộc cá các cách cáo còn có cô công cùng cũng cơ cả
cảm cảnh cấp cần cầu cố cộng cụ của cứ cứu danh diễn diện do doanh dài dân dù dùng dương dưới dẫn dịch dụng dự
dựng em gia gian giao giá giám giúp giả giải giới giờ giữ giữa gây gì gần gặp gọi gồm h hai hay hcm hiện hiệu
hoàn hoàng hoạch hoạt hoặc huyện hà hàng hành hình hòa hóa hôm hơn hướng hưởng hạn hải hậu hết hệ họ học hỏi
hồ hồi hộ hội hợp khai khi khiến khoảng khu khác khách khó không khả khẳng khỏi kinh kiến kiểm kiện ký kế kết
kể kỳ liên liệu loại luận luật là làm lãnh lê lên lúc lý lượng lại lấy lần lập lộ lớn lời lợi lực mang minh
muốn mà máy mình mạng mạnh mất mặt mọi mỗi một mới mở mục mức mỹ nam nay ngay nghiêm nghiệp nghệ nghị ngoài
ngoại nguyên nguyễn nguồn ngày người ngờ nhanh nhau nhiên nhiều nhiệm nhà nhân nhóm như nhưng nhất nhận nhằm
những ninh nào này nên nói năm năng nơi nước nạn nếu nội nữ nữa pháp phát phép phía phòng phó phương phạm phải
phản phần phố phối phụ phục phủ qua quan quy quyết quyền quá quân quả quản quốc ra riêng rõ rất rằng rồi sao
sau sinh sách sáng sát sĩ sơ sản sẻ sẽ số sống sở sức sử sự ta tay tham thanh thay theo thi thiết thu thuận
thuộc thành thái tháng thân thêm thì thông thương thường thấy thế thể thị thống thời thủ thứ thức thực tin
tiên tiêu tiến tiếng tiếp tiết tiền toàn tp tra trang tranh trao triển triệu trong trung truyền trách trái
trên trình trí trước trường trưởng trạng trả trần trẻ trị trọng trở trợ trực tuy tuyên tuần tuổi ty tài tác
tâm tên tìm tình tích tính tôi tăng tư tương tượng tại tạm tạo tất tập tế tỉnh tịch tố tối tốt tổ tổng tội tới
tục từ từng tử tự ubnd vi viên việc viện việt và vào vì văn vũ vấn vẫn vận vật vậy về vệ vị với vụ vừa vực xe
xem xuất xuống xác xây xã xét xảy xử yêu án ít ông ý đang đi điều điểm điện đoàn đoạn đáng đánh đây đã đình đó
đông đúng đơn đưa đường được đại đạo đảm đất đầu đặc đặt đến đề đều để địa định đốc đối đồng đổi độ đội động
đủ ảnh ở ứng
""".split()  # noqa: SIM905 (one list of words reads better than 499 quoted strings)
)
