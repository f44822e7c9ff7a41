"""Build luongminh-16-bau-cu/luongminh-16-bau-cu.docx: Kế hoạch số 16/KH-MTTQ-BTT (18/11/2025)
of the Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh (Quảng Ninh), as the Word file it was
issued as.

BLOCKS is the original .docx (repository LaHieu11/baucu-luongminh, see SOURCE.md of the plan) read
block by block with python-docx: every paragraph's text and every table's cell texts, in order,
unchanged. Fonts and spacing are not reproduced; the text and the table shapes are.
Run: python3 tests/data/real_plans/build_luongminh_16.py   (needs python-docx)
"""
from pathlib import Path

from docx import Document

OUT = Path(__file__).parent / "luongminh-16-bau-cu" / "luongminh-16-bau-cu.docx"

# ["p", text] is a paragraph; ["t", [[cell, ...], ...]] is a table, row by row.
BLOCKS = [['t',
  [['ỦY BAN MTTQ VIỆT NAM\nXÃ LƯƠNG MINH\nBAN THƯỜNG TRỰC\n\nSố: 16/KH-MTTQ-BTT',
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n'
    '   Độc lập - Tự do - Hạnh phúc\n'
    '\n'
    ' \n'
    '\n'
    'Lương Minh, ngày 18 tháng 11 năm 2025']]],
 ['p', ''],
 ['p', 'KẾ HOẠCH'],
 ['p', 'Thực hiện công tác bầu cử đại biểu Quốc hội khóa XVI '],
 ['p', 'và bầu cử đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026-2031'],
 ['p', ''],
 ['p',
  'Căn cứ Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân số 85/2015/QH13, '
  'ngày 25/6/2015 và được sửa đổi, bổ sung một số điều tại Luật số 83/2025/QH15, ngày '
  '24/6/2025; Luật Mặt trận Tổ quốc Việt Nam số 75/2015/QH13, ngày 09/6/2015 và Luật số '
  '97/2025/QH15, ngày 27/6/2025 về sửa đổi, bổ sung một số điều của Luật Mặt trận Tổ quốc '
  'Việt Nam, Luật Công đoàn, Luật Thanh niên, Luật Thực hiện dân chủ ở cơ sở; Chỉ thị số '
  '46-CT/TW, ngày 16/5/2025 của Bộ Chính trị về lãnh đạo cuộc bầu cử đại biểu Quốc hội '
  'khóa XVI và bầu cử đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026 - 2031; Kế hoạch số '
  '06/KH-MTTW-BTT, ngày 22/7/2025 của Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam về thực '
  'hiện công tác bầu cử đại biểu Quốc hội khóa XVI và bầu cử đại biểu Hội đồng nhân dân '
  'các cấp nhiệm kỳ 2026 - 2031; Kế hoạch số 33/KH-MTTQ-BTT, ngày 17/11/2025 của Ban '
  'Thường trực Ủy ban MTTQ Việt Nam xã Quảng Ninh về Thực hiện công tác bầu cử đại biểu '
  'Quốc hội khóa XVI và bầu cử đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026-2031; Kế '
  'hoạch số 21-KH/ĐU, ngày 29/7/2025 của Ban Thường vụ Đảng ủy xã Lương Minh về triển khai '
  'thực hiện Chỉ thị số 46-CT/TW, ngày 16/5/2025 của Bộ Chính trị về lãnh đạo cuộc bầu cử '
  'đại biểu Quốc hội khóa XVI và bầu cử đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026 – '
  '2031;'],
 ['p',
  'Ban Thường trực Ủy ban Mặt trận Tổ quốc (MTTQ) Việt Nam xã ban hành kế hoạch thực hiện '
  'công tác bầu cử đại biểu Quốc hội khóa XVI và bầu cử đại biểu Hội đồng nhân dân các cấp '
  'xã Lương Minh nhiệm kỳ 2026 - 2031, cụ thể như sau:'],
 ['p', 'I. MỤC ĐÍCH, YÊU CẦU '],
 ['p',
  '- Triển khai đầy đủ, đồng bộ các nội dung công tác bầu cử đại biểu Quốc hội khóa XVI và '
  'đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026 - 2031 thuộc quyền và trách nhiệm của '
  'MTTQ Việt Nam các cấp theo quy định của Luật Bầu cử đại biểu Quốc hội và đại biểu Hội '
  'đồng nhân dân, Luật MTTQ Việt Nam, các văn bản hướng dẫn của Hội đồng bầu cử Quốc gia '
  'và Ban Thường trực Ủy ban Trung ương MTTQ Việt Nam.'],
 ['p',
  '- Thực hiện nghiêm túc, dân chủ, công khai, minh bạch, đúng quy định của pháp luật; bảo '
  'đảm sự phối hợp chặt chẽ giữa MTTQ với các tổ chức thành viên, các cơ quan liên quan '
  'trong quá trình triển khai thực hiện nhiệm vụ.'],
 ['p',
  '- Phân công rõ ràng trách nhiệm từng thành viên Ban Thường trực, các tổ chức thành viên '
  'và Ban công tác Mặt trận ở khu dân cư; bảo đảm tiến độ, chất lượng, hiệu quả, an toàn, '
  'tiết kiệm trong tổ chức thực hiện.'],
 ['p',
  '- Tăng cường công tác tuyên truyền, vận động nhân dân thực hiện quyền và nghĩa vụ công '
  'dân trong bầu cử; phát huy vai trò giám sát của MTTQ và các tổ chức thành viên trong '
  'toàn bộ quá trình bầu cử.'],
 ['p',
  '- Tham gia thành lập các tổ chức phụ trách bầu cử ở địa phương; Tham gia hiệp thương '
  'giới thiệu người ứng cử đại biểu Quốc hội và đại biểu HĐND các cấp; Tổ chức hội nghị cử '
  'tri lấy ý kiến nhận xét và tín nhiệm đối với người ứng cử; Phối hợp tổ chức tuyên '
  'truyền, vận động nhân dân tham gia bầu cử; Thực hiện giám sát công tác bầu cử theo quy '
  'định của pháp luật. Tổng hợp, báo cáo kết quả thực hiện công tác bầu cử theo phân cấp.'],
 ['p', 'II. NỘI DUNG, TIẾN ĐỘ, PHÂN CÔNG TRÁCH NHIỆM THỰC HIỆN'],
 ['p',
  'Các nội dung dưới đây được triển khai theo đúng quy định của Luật Bầu cử đại biểu Quốc '
  'hội và đại biểu Hội đồng nhân dân, Luật Mặt trận Tổ quốc Việt Nam, các văn bản hướng '
  'dẫn của Hội đồng bầu cử Quốc gia, Ban Thường trực Ủy ban Trung ương MTTQ Việt Nam và '
  'chỉ đạo của cấp ủy Đảng, chính quyền địa phương. Việc phân công trách nhiệm được thực '
  'hiện cụ thể, rõ ràng, bảo đảm tiến độ, chất lượng, hiệu quả và phù hợp với tình hình '
  'thực tiễn của địa phương.'],
 ['p',
  '1. Xây dựng, ban hành các văn bản chỉ đạo, hướng dẫn và tài liệu phục vụ công tác bầu '
  'cử'],
 ['p',
  '1.1. Xây dựng và ban hành Hướng dẫn của Ban Thường trực Ủy ban MTTQ Việt Nam xã về việc '
  'MTTQ Việt Nam tham gia công tác bầu cử đại biểu Quốc hội khóa XVI và đại biểu Hội '
  'đồng nhân dân các cấp nhiệm kỳ 2026-2031.'],
 ['p',
  '- Bảo đảm thống nhất với hướng dẫn của Ban Thường trực Ủy ban MTTQ Việt Nam cấp trên; '
  'phù hợp với điều kiện thực tế của địa phương; bảo đảm tính khả thi, hiệu quả, đúng tiến '
  'độ và đúng quy định pháp luật.'],
 ['p',
  '- Các văn bản hướng dẫn, kế hoạch, lịch trình phải thể hiện rõ vai trò, trách nhiệm của '
  'MTTQ Việt Nam xã trong từng nội dung công việc; có sự phân công cụ thể cho từng thành '
  'viên Ban Thường trực, các tổ chức thành viên và Ban công tác Mặt trận ở khu dân cư.'],
 ['p',
  '- Thời gian hoàn thành: Dự kiến tháng 11/2025 (sau khi Ban Thường trực Ủy ban MTTQ Việt '
  'Nam tỉnh ban hành Hướng dẫn).'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p', '- Kết quả: Dự thảo Hướng dẫn trình Ban Thường trực ban hành.'],
 ['p',
  '1.2. Xây dựng và ban hành Hướng dẫn của Ban Thường trực Ủy ban MTTQ Việt Nam xã về việc '
  'MTTQ xã giám sát công tác bầu cử đại biểu Quốc hội khóa XVI và đại biểu Hội đồng nhân '
  'dân các cấp nhiệm kỳ 2026-2031.'],
 ['p',
  '- Thời gian hoàn thành: ngày Tháng 11/2025 (sau khi Ban Thường trực Ủy ban MTTQ Việt '
  'Nam tỉnh ban hành Hướng dẫn);'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p', '- Kết quả: Dự thảo Hướng dẫn trình Ban Thường trực ban hành.'],
 ['p',
  '1.3 Xây dựng, ban hành kế hoạch, lịch trình thực hiện các nội dung công tác bầu cử đại '
  'biểu Quốc hội khóa XVI và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026-2031 thuộc '
  'trách nhiệm của Ủy ban MTTQ Việt Nam xã.'],
 ['p',
  '- Bảo đảm thống nhất với hướng dẫn của Ban Thường trực Ủy ban MTTQ Việt Nam cấp trên; '
  'phù hợp với điều kiện thực tế của địa phương; bảo đảm tính khả thi, hiệu quả, đúng tiến '
  'độ và đúng quy định pháp luật.'],
 ['p',
  '- Các văn bản hướng dẫn, kế hoạch, lịch trình phải thể hiện rõ vai trò, trách nhiệm của '
  'MTTQ Việt Nam xã trong từng nội dung công việc; có sự phân công cụ thể cho từng thành '
  'viên Ban Thường trực, các tổ chức thành viên và Ban công tác Mặt trận ở khu dân cư.'],
 ['p',
  '- Thời gian hoàn thành: Tháng 11/2025 (sau khi Ban Thường trực Ủy ban MTTQ Việt Nam '
  'tỉnh ban hành Hướng dẫn).'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p',
  '- Kết quả: Các dự thảo Kế hoạch, lịch trình thực hiện nội dung công tác bầu cử cụ thể '
  'thuộc thẩm quyền của Ủy ban MTTQ Việt Nam xã trình Ban Thường trực ban hành.'],
 ['p', '2. Tổ chức các hội nghị hiệp thương'],
 ['p',
  '2.1. Chuẩn bị các văn bản về nhân sự và tổ chức 3 Hội nghị hiệp thương công tác bầu cử '
  'đại biểu Quốc hội khóa XVI và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026-2031 '
  'theo Hướng dẫn của Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh.'],
 ['p',
  '- Nguyên tắc tổ chức hiệp thương: Bảo đảm dân chủ, công khai, minh bạch, đúng quy '
  'trình, thời gian và thành phần theo quy định của pháp luật; bảo đảm tỷ lệ, cơ cấu, '
  'thành phần người ứng cử theo hướng dẫn của cấp có thẩm quyền.'],
 ['p',
  '- Tài liệu phục vụ hội nghị: Gồm danh sách trích ngang người ứng cử, biên bản hội nghị, '
  'phiếu biểu quyết, tài liệu hướng dẫn quy trình hiệp thương, các văn bản pháp luật liên '
  'quan.'],
 ['p',
  '(1) Tổ chức hiệp thương lần thứ nhất: Chậm nhất ngày 10/12/2025 (trước ngày bầu cử 95 '
  'ngày theo Điều 39, Điều 50 Luật số 85/2015/QH13 về Bầu cử đại biểu Quốc hội và đại biểu '
  'Hội đồng nhân dân).  '],
 ['p',
  '(2) Tổ chức hiệp thương lần thứ hai: Chậm nhất ngày 03/02/2026 (trước ngày bầu cử 40 '
  'ngày theo điểm a, khoản 16, Điều 1 Luật số 83/2025/QH15 về sửa đổi, bổ sung một số điều '
  'của Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân).'],
 ['p',
  '(3) Tổ chức hiệp thương lần thứ ba: Chậm nhất ngày 20/02/2026 (trước ngày bầu cử 23 '
  'ngày theo điểm a, khoản 18, Điều 1 Luật số 83/2025/QH15 về sửa đổi, bổ sung một số điều '
  'của Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân).'],
 ['p', '- Thời gian hoàn thành: Quý IV/2025 và Quý I/2026;'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p', '- Kết quả: Hồ sơ nhân sự, các văn bản, tài liệu phục vụ các Hội nghị'],
 ['p',
  '2.2. Tổ chức Hội nghị tiếp xúc cử tri để người ứng cử đại biểu Quốc hội thực hiện công '
  'tác vận động bầu cử đại biểu Quốc hội khóa XVI, người ứng cử đại biểu HĐND tỉnh, HĐND '
  'xã thực hiện công tác vận động bầu cử đại biểu HĐND cấp tỉnh, cấp xã nhiệm kỳ 2026-2031 '
  'theo văn bản Hướng dẫn của Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh.'],
 ['p',
  '- Việc tổ chức hội nghị tiếp xúc cử tri phải bảo đảm đúng thành phần, thời gian, địa '
  'điểm, nội dung theo hướng dẫn; tạo điều kiện thuận lợi để người ứng cử trình bày chương '
  'trình hành động, lắng nghe ý kiến, nguyện vọng của cử tri.'],
 ['p',
  '- MTTQ Phối hợp với UBND xã, các tổ chức chính trị - xã hội, các thôn để tổ chức hội '
  'nghị hiệu quả, an toàn, tiết kiệm.'],
 ['p', '- Thời gian hoàn thành: Quý I/2026;'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p',
  '2.3. Theo dõi, tổng hợp số liệu, báo cáo tình hình trên địa bàn xã thực hiện các bước '
  'của quy trình hiệp thương.'],
 ['p', '- Thời gian hoàn thành: Quý I/2026;'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các chuyên viên cơ quan '
  'MTTQ xã tham mưu, giúp việc thuộc Cơ quan Ủy ban MTTQ Việt Nam xã.'],
 ['p', '- Kết quả: Hướng dẫn, báo cáo, bảng tổng hợp số liệu theo hướng dẫn.'],
 ['p',
  '3. Tổ chức theo dõi, tổng hợp, kiểm tra, giám sát công tác bầu cử của Ủy ban MTTQ Việt '
  'Nam xã'],
 ['p',
  '3.1. Tham gia các đoàn kiểm tra, giám sát công tác bầu cử do MTTQ cấp trên tổ chức khi '
  'có yêu cầu; phối hợp với các tổ chức thành viên thực hiện giám sát độc lập tại các điểm '
  'bỏ phiếu. '],
 ['p',
  '3.2. Tổng hợp, báo cáo kịp thời các khó khăn, vướng mắc trong quá trình triển khai để '
  'kiến nghị cấp có thẩm quyền xem xét, giải quyết.'],
 ['p',
  '3.2. Tiếp nhận thông tin, giải đáp các nội dung liên quan đến quyền, trách nhiệm của Ủy '
  'ban MTTQ Việt Nam xã trong công tác bầu cử;'],
 ['p', '3.3. Theo dõi, đôn đốc, tổng hợp, báo cáo về công tác bầu cử.'],
 ['p', '- Thời gian thực hiện: Từ tháng 12/2025 đến quý I/2026.'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p', '- Kết quả: Báo cáo theo hướng dẫn của Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh.'],
 ['p',
  '4. Tiếp công dân, tiếp nhận và xử lý đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh '
  'liên quan đến công tác bầu cử'],
 ['p',
  '4.1. Ban hành Kế hoạch tiếp công dân, tiếp nhận, xử lý đơn thư khiếu nại, tố cáo, kiến '
  'nghị, phản ánh liên quan đến công tác bầu cử.'],
 ['p', '- Thời gian hoàn thành: Quý IV/2025;'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p', '- Kết quả: Kế hoạch trình Ban Thường trực ký ban hành.'],
 ['p',
  '4.2. Tổ chức tiếp công dân về nội dung liên quan đến trách nhiệm của MTTQ Việt Nam '
  'trong công tác bầu cử; tiếp nhận, xử lý đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh '
  'liên quan đến công tác bầu cử; đôn đốc các cơ quan, tổ chức xem xét, giải quyết các đơn '
  'thư liên quan đến công tác bầu cử theo quy định do MTTQ Việt Nam xã chuyển đến; tổng '
  'hợp tình hình khiếu nại, tố cáo, kiến nghị, phản ánh về công tác bầu cử liên quan đến '
  'quyền, trách nhiệm của Ủy ban MTTQ Việt Nam xã.'],
 ['p',
  '- Nguyên tắc xử lý đơn thư: Bảo đảm đúng quy định pháp luật, đúng thẩm quyền, khách '
  'quan, kịp thời; không để tồn đọng, kéo dài, gây ảnh hưởng đến tiến độ và kết quả bầu '
  'cử.'],
 ['p',
  '- MTTQ xã phối hợp với UBND xã, các cơ quan chuyên môn, các tổ chức thành viên để xử lý '
  'đơn thư hiệu quả, đúng quy trình.'],
 ['p', '- Thời gian hoàn thành: Quý I/2026;'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p',
  '- Kết quả: báo cáo kết quả tiếp công dân, báo cáo kết quả xử lý đơn thư khiếu nại, tố '
  'cáo, kiến nghị, phản ánh; các văn bản đôn đốc, hướng dẫn, báo cáo tổng hợp.'],
 ['p', '5. Công tác tuyên truyền'],
 ['p',
  '5.1. Ban hành kế hoạch tuyên truyền bầu cử, tập hợp dư luận xã hội; hướng dẫn công tác '
  'tuyên truyền bầu cử, tập hợp dư luận xã hội của Ủy ban MTTQ Việt Nam, các tổ chức chính '
  'trị - xã hội trên địa bàn xã'],
 ['p', '- Thời gian hoàn thành: Quý IV/2025.'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p',
  '- Kết quả: Kế hoạch, Hướng dẫn công tác tuyên truyền bầu cử, tập hợp dư luận xã hội.'],
 ['p',
  '5.2. Tổ chức thực hiện công tác tuyên truyền về bầu cử; tập hợp dư luận xã hội về công '
  'tác bầu cử'],
 ['p',
  '- Đa dạng, phong phú, phù hợp với từng nhóm đối tượng cử tri; kết hợp giữa tuyên truyền '
  'trực tiếp và gián tiếp, qua hệ thống loa truyền thanh, pa-nô, áp phích, mạng xã hội, '
  'sinh hoạt chi bộ, chi đoàn, chi hội.'],
 ['p',
  '- Tập trung vào quyền và nghĩa vụ của công dân trong bầu cử; tiêu chuẩn đại biểu Quốc '
  'hội, đại biểu HĐND; quy trình bầu cử; vai trò của MTTQ trong bầu cử; thông tin về người '
  'ứng cử.'],
 ['p', '- Thời gian thực hiện: Từ tháng 12/2025 đến quý I/2026.'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p',
  '- Kết quả: Bài viết, thông tin hình ảnh về bầu cử, về thực hiện công tác bầu cử của '
  'MTTQ, báo cáo về tập hợp dư luận xã hội...'],
 ['p',
  '6. Thực hiện nhiệm vụ công tác bầu cử của Ủy ban bầu cử xã và Ban Chỉ đạo công tác bầu '
  'cử của Ủy ban MTTQ Việt Nam xã'],
 ['p', '6.1. Tham gia thực hiện các nhiệm vụ:'],
 ['p',
  '- Tham gia các phiên họp của Ủy ban bầu cử xã và thực hiện các nhiệm vụ theo sự phân '
  'công, chỉ đạo của Ủy ban bầu cử xã; tham gia góp ý vào các văn bản, tài liệu liên quan '
  'đến công tác bầu cử do Ủy ban bầu cử xã ban hành.'],
 ['p', '- Thời gian thực hiện: Từ tháng 11/2025 đến tháng 4/2026.'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p',
  '- Kết quả: Các văn bản, hồ sơ, tài liệu, báo cáo kết quả thực hiện nhiệm vụ theo phân '
  'công của Uỷ ban bầu cử xã.'],
 ['p',
  '6.2. Phối hợp với Ủy ban bầu cử xã, Thường trực Hội đồng nhân dân xã, Uỷ ban nhân dân '
  'xã chuẩn bị hội nghị tập huấn về công tác bầu cử; chủ trì tổ chức hội nghị tập huấn '
  'công tác bầu cử trong hệ thống Mặt trận xã; tham gia các hội nghị tập huấn nghiệp vụ '
  'công tác bầu cử của các cơ quan Trung ương khi có yêu cầu'],
 ['p',
  '- Phối hợp tổ chức kiểm tra, đánh giá tiến độ thực hiện công tác bầu cử tại các khu vực '
  'bỏ phiếu. Cử cán bộ tham gia các tổ bầu cử theo phân công của Ủy ban bầu cử xã.'],
 ['p', '- Thời gian thực hiện: Từ tháng 11/2025 đến quý I/2026.'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p',
  '7. Tổng kết công tác bầu cử của Ủy ban MTTQ Việt Nam xã; bảo đảm điều kiện và phục vụ '
  'công tác bầu cử'],
 ['p', '7.1 Tổng kết công tác bầu cử'],
 ['p',
  '- Đánh giá toàn diện kết quả thực hiện nhiệm vụ của MTTQ xã trong công tác bầu cử; rút '
  'ra bài học kinh nghiệm; đề xuất, kiến nghị với cấp trên về những vấn đề cần điều chỉnh, '
  'bổ sung trong công tác bầu cử.'],
 ['p', '- Thời gian hoàn thành: Tháng 4/2026. '],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p', '- Kết quả: Hướng dẫn, Báo cáo tổng kết, quyết toán kinh phí;…'],
 ['p',
  '7.2 Bảo đảm điều kiện và phục vụ công tác bầu cử: in ấn và phát hành các văn bản, tài '
  'liệu về công tác bầu cử trong hệ thống Mặt trận; tăng cường chuyển đổi số, ứng dụng '
  'công nghệ thông tin trong công tác bầu cử; bảo đảm thông tin liên lạc thông suốt, kịp '
  'thời với các cơ quan, tổ chức ở tỉnh và địa phương trong bầu cử; phối hợp chặt chẽ '
  'giữa các ban, đơn vị trong các hoạt động bảo đảm phục vụ công tác bầu cử.'],
 ['p',
  '- Chủ động dự trù, sử dụng và quyết toán kinh phí đúng quy định; bảo đảm cơ sở vật '
  'chất, trang thiết bị, phương tiện phục vụ công tác bầu cử; ứng dụng hiệu quả công nghệ '
  'thông tin trong quản lý, điều hành, báo cáo.'],
 ['p', '- Thời gian hoàn thành: tháng 11/2025 đến tháng 4/2026;'],
 ['p',
  '- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và '
  'Phản biện xã hội'],
 ['p',
  '- Đơn vị phối hợp: Các đ/c Phó chỉ tịch, Trưởng đoàn thể xã, các đồng chí Chuyên viên '
  'cơ quan MTTQ xã.'],
 ['p',
  '- Kết quả: các tài liệu hướng dẫn, tài liệu phục vụ công tác bầu cử và bảo đảm các điều '
  'kiện cần thiết khác cho công tác bầu cử. '],
 ['p', 'III. TỔ CHỨC THỰC HIỆN'],
 ['p',
  'Căn cứ vào cơ cấu tổ chức của Ủy ban MTTQ Việt Nam xã Lương Minh gồm Ban Thường trực '
  '(Chủ tịch, các Phó Chủ tịch) và các chuyên viên phụ trách lĩnh vực, việc phân công '
  'nhiệm vụ thực hiện công tác bầu cử được triển khai như sau:'],
 ['p', '1. Ban Thường trực Ủy ban MTTQ Việt Nam xã'],
 ['p',
  '- Đồng chí Ủy viên Ban Thường vụ Đảng ủy, Chủ tịch Uỷ ban MTTQ Việt Nam xã lãnh đạo, '
  'chỉ đạo chung, toàn diện công tác bầu cử thuộc trách nhiệm của Uỷ ban MTTQ Việt Nam xã '
  'và việc tổ chức thực hiện Kế hoạch này.'],
 ['p',
  '- Đồng chí Uỷ viên Ban Ban chấp hành Đảng bộ, Phó Chủ tịch Thường trực Uỷ ban MTTQ Việt '
  'Nam xã chỉ đạo trực tiếp các chuyên viên được phân công thực hiện công tác bầu cử, '
  'hướng dẫn và báo cáo kết quả tổ chức thực hiện Kế hoạch này.'],
 ['p',
  '- Các đồng chí Phó Chủ tịch Uỷ ban MTTQ Việt Nam xã chỉ đạo thực hiện; các Chuyên viên '
  'cơ quan MTTQ xã được phân công phụ trách thực hiện các nhiệm vụ theo Kế hoạch.'],
 ['p', '2. Các tổ chức chính trị - xã hội xã'],
 ['p',
  '- Trên cơ sở chỉ đạo của Uỷ ban Bầu cử xã, của tổ chức chính trị - xã hội cấp trên, '
  'chức năng, nhiệm vụ được giao để triển khai thực hiện công tác bầu cử Đại biểu Quốc hội '
  'khoá XVI và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026 - 2031 theo quy định.'],
 ['p',
  '- Tăng cường công tác tuyên truyền vận động đoàn viên, hội viên, Nhân dân về mục đích, '
  'ý nghĩa, tầm quan trọng của công tác bầu cử; vận động hội viên, đoàn viên và Nhân dân '
  'tích cực tham gia đi bỏ phiếu trong ngày bầu cử. '],
 ['p',
  '- Chủ động nắm tình hình tư tưởng cán bộ, đoàn viên, hội viên và Nhân dân theo chức '
  'năng, nhiệm vụ của tổ chức, đơn vị mình; kịp thời phản ánh ý kiến, kiến nghị của các '
  'đoàn viên, hội viên và Nhân dân, dư luận xã hội về bầu cử với Ban Thường trực Ủy ban '
  'MTTQ Việt Nam xã.'],
 ['p', '3. Cán bộ phụ trách lĩnh vực giám sát và phản biện xã hội  '],
 ['p',
  '- Tham mưu xây dựng, trình Ban Thường trực ban hành Kế hoạch; theo dõi, đôn đốc, hướng '
  'dẫn việc thực hiện Kế hoạch; tổ chức thực hiện các nhiệm vụ cụ thể được phân công tại '
  'mục II Kế hoạch này.'],
 ['p',
  '- Chủ trì xây dựng các báo cáo tổng hợp chung việc thực hiện công tác bầu cử của cơ '
  'quan Ủy ban MTTQ Việt Nam xã.'],
 ['p',
  '- Chủ trì, tham mưu xây dựng và triển khai các nội dung công tác bầu cử (hội nghị hiệp '
  'thương, lấy ý kiến cử tri nơi cư trú, tiếp xúc cử tri vận động bầu cử,...); hoạt động '
  'giám sát bầu cử; chủ trì tổ chức tiếp công dân, nhận, xử lý đơn thư khiếu nại, tố cáo, '
  'kiến nghị, phản ánh liên quan đến công tác bầu cử.'],
 ['p',
  '- Làm đầu mối giải đáp các nội dung liên quan đến quyền, trách nhiệm của Ủy ban MTTQ '
  'Việt Nam xã trong công tác bầu cử.'],
 ['p',
  '- Thực hiện các nhiệm vụ khác theo yêu cầu của Ban Thường trực Ủy ban MTTQ Việt Nam '
  'xã.'],
 ['p',
  '- Chủ trì xây dựng kế hoạch và tổ chức thực hiện các nhiệm vụ cụ thể được phân công tại '
  'mục II Kế hoạch này.'],
 ['p',
  '- Xây dựng và trình Ban Thường trực ban hành các quyết định thành lập đoàn giám sát '
  'công tác bầu cử tại địa phương.'],
 ['p',
  '- Tham mưu dự thảo biên bản các hội nghị hiệp thương; tham mưu đề xuất về công tác hiệp '
  'thương đối với người ứng cử của Ủy ban MTTQ Việt Nam xã giới thiệu; tiếp nhận tiểu sử '
  'tóm tắt và danh sách trích ngang của người ứng cử ở xã do Ủy ban Bầu cử xã chuyển đến.'],
 ['p',
  '- Hướng dẫn, giải đáp các vướng mắc liên quan đến công tác nhân sự và thi đua, khen '
  'thưởng trong bầu cử.'],
 ['p',
  '- Thực hiện các nhiệm vụ khác theo yêu cầu của Ban Thường trực Ủy ban MTTQ Việt Nam '
  'xã.'],
 ['p', '5. Các Phó chủ tịch phụ trách lĩnh vực Dân tộc, Tôn giáo và các Hội quần chúng'],
 ['p', '- Thực hiện nhiệm vụ theo phân công tại mục II Kế hoạch này.'],
 ['p',
  '- Tham gia góp ý đối với dự kiến nhân sự đại biểu HĐND xã là người dân tộc thiểu số, do '
  'Ủy ban MTTQ Việt Nam xã giới thiệu ứng cử đại biểu HĐND xã.'],
 ['p',
  '- Thực hiện các nhiệm vụ khác theo yêu cầu của Ban Thường trực Ủy ban MTTQ Việt Nam '
  'xã.'],
 ['p', '6. Phó chủ tịch phụ trách lĩnh vực Công tác Xã hội'],
 ['p',
  '- Chủ trì xây dựng kế hoạch và tổ chức thực hiện các nhiệm vụ cụ thể được phân công tại '
  'mục II Kế hoạch này.'],
 ['p',
  '- Định kỳ tổng hợp, báo cáo tình hình dư luận xã hội liên quan đến công tác bầu cử và '
  'người ứng cử theo yêu cầu của Ban Chỉ đạo công tác bầu cử. '],
 ['p',
  '- Hướng dẫn, giải đáp các vướng mắc liên quan đến công tác tuyên truyền, vận động nhân '
  'dân tham gia bầu cử.'],
 ['p',
  '- Thực hiện các nhiệm vụ khác theo yêu cầu của Ban Thường trực Ủy ban MTTQ Việt Nam '
  'xã.'],
 ['p', ' 7. Chuyên viên phụ trách lĩnh vực Hành chính, Văn phòng avf lĩnh vực khác'],
 ['p',
  '- Bảo đảm thông tin liên lạc thông suốt, kịp thời giữa Ủy ban MTTQ Việt Nam xã với các '
  'cơ quan, tổ chức ở tỉnh và địa phương trong công tác bầu cử.'],
 ['p',
  '- Tham mưu xây dựng Kế hoạch, triển khai tổ chức các hội nghị hiệp thương; tham mưu tổ '
  'chức các hội nghị về công tác bầu cử.'],
 ['p',
  '- Thực hiện các nhiệm vụ khác theo yêu cầu của Ban Thường trực Ủy ban MTTQ Việt Nam '
  'xã.   '],
 ['p', '8. Ban công tác Mặt trận các thôn trên địa bàn xã'],
 ['p',
  'Căn cứ Kế hoạch này, chủ tham mưu, phối hợp thực hiện công tác bầu cử đại biểu Quốc hội '
  'khóa XVI và bầu cử đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026 - 2031 trên địa bàn '
  'thuộc phạm vi trách nhiệm theo quy định và theo hướng dẫn để triển khai thực hiện kịp '
  'thời, có hiệu quả tại thôn mình.'],
 ['p',
  'Trên đây là Kế hoạch của Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh về thực '
  'hiện công tác bầu cử đại biểu Quốc hội khóa XVI và bầu cử đại biểu Hội đồng nhân dân '
  'các cấp nhiệm kỳ 2026-2031./.'],
 ['t',
  [['    \n'
    '  Nơi nhận:\n'
    '\n'
    '- BTT Ủy ban MTTQ Việt Nam tỉnh; \n'
    '- Thường trực Đảng ủy xã;\n'
    '- Ủy ban bầu cử xã;  \n'
    '- Thường trực HĐND, UBND xã;\n'
    '- BTT Ủy ban MTTQ VN xã; \n'
    '- Uỷ ban Kiểm tra Đảng uỷ, Ban xây dựng Đảng,  \n'
    'VP Đảng uỷ;\n'
    '         - Văn phòng HĐND, UBND xã;\t\n'
    '- Các tổ chức thành viên MTTQ xã;\n'
    '- Bí thư Chi bộ, Trưởng thôn, Ban công\n'
    ' tác MT thôn; \n'
    '- Lưu: MTTQ  ',
    '\nTM. BAN THƯỜNG TRỰC\nCHỦ TỊCH\n\n\n\n\n\n\nLan Thị Vân\n\n\n\n '],
   ['', '']]],
 ['p', '']]



def _cell_text(cell, text):
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def build(out=OUT):
    doc = Document()
    for kind, content in BLOCKS:
        if kind == "p":
            doc.add_paragraph(content)
            continue
        table = doc.add_table(rows=0, cols=max(len(r) for r in content))
        for row in content:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=False):
                _cell_text(cell, text)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build())
